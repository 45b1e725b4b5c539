import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import type { ResolutionView } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';
import { activatePaymentProviders, putPaymentRoute } from './payment-providers';

const BP = { username: 'bp-user', password: 'bp-password-3', apiKey: 'bp-key', cashierKey: 'bp-cashier' };
const PX = { merchantId: 'm-1', applicationKey: 'a-1', merchantSecret: 'px-secret-3' };

interface Health {
  state: 'closed' | 'open' | 'half_open';
  error_rate: number;
  p95_ms: number | null;
}

/**
 * A payment provider outage absorbed by its circuit breaker: after a few failed calls the primary is no
 * longer called at all (its fake receives nothing) and every resolve fails over at once; the provider's
 * API answer shows the open breaker; once the fake recovers and the cool-down has passed, one half-open
 * probe closes it again. Proven by the fake's received-call count, never by timing.
 */
describe('payment provider circuit breaker', () => {
  let p: Platform;
  let bridgerpay: BridgerpayFake;
  let praxis: PraxisFake;

  const resolve = async () => {
    const res = await p.api('/payments/gateway?country=BR&direction=deposit&amount=10&currency=EUR');
    return { status: res.status, body: (await res.json()) as ResolutionView };
  };
  const health = async (key: string): Promise<Health> => {
    const res = await p.api(`/api/platform/integrations/providers/${key}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { health: Health }).health;
  };
  const listedHealth = async (key: string): Promise<Health | undefined> => {
    const res = await p.api('/api/platform/integrations/providers?category=payment');
    const { providers } = (await res.json()) as { providers: { key: string; health: Health }[] };
    return providers.find((x) => x.key === key)?.health;
  };

  beforeAll(async () => {
    bridgerpay = await new BridgerpayFake(BP).start();
    praxis = await new PraxisFake(PX).start();
    p = await startPlatform({
      services: ['catalog', 'payments'],
      env: {
        PAYMENTS_PROVIDER_TIMEOUT_MS: '500',
        CONNECTOR_BREAKER_FAILURES: '2',
        // long enough that the open state is seen through the API; the last test waits it out
        CONNECTOR_BREAKER_COOLDOWN_MS: '4000',
        CONNECTOR_HEALTH_PUBLISH_MS: '200',
      },
    });
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );
    await putPaymentRoute(p, 'BR', { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis' });
    await putPaymentRoute(p, 'default', { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' });
  });
  afterAll(async () => {
    await p?.stop();
    await bridgerpay?.stop();
    await praxis?.stop();
  });

  it('shows a closed breaker, error rate 0 and p95_ms null for a provider never called', async () => {
    expect(await health('praxis')).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
    expect(await listedHealth('praxis')).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
  });

  it('serves from BridgerPay while it answers, and its health shows its latency', async () => {
    expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'bridgerpay', source: 'country' } });
    const h = await eventually('bridgerpay latency to reach the catalog', async () => {
      const v = await health('bridgerpay');
      return v.p95_ms !== null ? v : undefined;
    });
    expect(h).toMatchObject({ state: 'closed', error_rate: 0 });
    expect(h.p95_ms).toBeGreaterThanOrEqual(0);
  });

  it('opens after BridgerPay hangs twice, then fails over without calling it at all', async () => {
    bridgerpay.slowDown(5000);
    // two calls that wait out the timeout, each failing over to Praxis
    for (let i = 0; i < 2; i++) {
      expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'praxis', failover_from: 'bridgerpay' } });
    }
    const received = bridgerpay.requests.length;
    for (let i = 0; i < 4; i++) {
      expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'praxis', failover_from: 'bridgerpay' } });
    }
    expect(bridgerpay.requests.length).toBe(received);

    const open = await eventually('the open breaker to reach the catalog', async () => {
      const v = await health('bridgerpay');
      return v.state === 'open' ? v : undefined;
    });
    expect(open.error_rate).toBeGreaterThan(0);
    expect(open.error_rate).toBeLessThanOrEqual(1);
    expect((await listedHealth('bridgerpay'))?.state).toBe('open');
    expect(bridgerpay.requests.length).toBe(received);
  });

  it('closes again through a half-open probe once BridgerPay recovers and the cool-down has passed', async () => {
    bridgerpay.slowDown(0);
    const before = bridgerpay.requests.length;
    // until the cool-down ends every resolve still fails over; the first one after it is the probe
    const probed = await eventually('a half-open probe to reach BridgerPay again (or a failed resolve)', async () => {
      const r = await resolve();
      return r.status !== 200 || r.body.gateway === 'bridgerpay' ? r : undefined;
    });
    expect(probed.status).toBe(200);
    expect(bridgerpay.requests.length).toBeGreaterThan(before);
    await eventually('the closed breaker to reach the catalog', async () =>
      (await health('bridgerpay')).state === 'closed' ? true : undefined,
    );
    expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'bridgerpay' } });
  });
});
