import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import type { ResolutionView } from '@app/contracts';

import { startPlatform, type Platform } from '../src/platform';
import { activatePaymentProviders, putPaymentRoute } from './payment-providers';

const BP = { username: 'bp-user', password: 'bp-password-2', apiKey: 'bp-key', cashierKey: 'bp-cashier' };
const PX = { merchantId: 'm-1', applicationKey: 'a-1', merchantSecret: 'px-secret-2' };

/** Failover on a provider timeout and on a network error (the 5xx case is in payments.e2e-spec.ts). */
describe('payment gateway failover on timeout and network errors', () => {
  let p: Platform;
  let bridgerpay: BridgerpayFake;
  let praxis: PraxisFake;

  const resolve = async () => {
    const res = await p.api('/payments/gateway?country=BR&direction=deposit&amount=10&currency=EUR');
    return { status: res.status, body: (await res.json()) as ResolutionView };
  };

  beforeAll(async () => {
    bridgerpay = await new BridgerpayFake(BP).start();
    praxis = await new PraxisFake(PX).start();
    p = await startPlatform({ services: ['catalog', 'payments'], env: { PAYMENTS_PROVIDER_TIMEOUT_MS: '1500' } });
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

  it('serves from BridgerPay while it answers', async () => {
    expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'bridgerpay', source: 'country' } });
  });

  it('fails over to Praxis when BridgerPay does not answer in time', async () => {
    bridgerpay.slowDown(5000);
    try {
      expect(await resolve()).toMatchObject({
        status: 200,
        body: { gateway: 'praxis', type: 'redirect', failover_from: 'bridgerpay', source: 'country' },
      });
    } finally {
      bridgerpay.slowDown(0);
    }
  });

  it('fails over to Praxis when BridgerPay cannot be reached, and answers 502 when Praxis fails too', async () => {
    await bridgerpay.stop();
    expect(await resolve()).toMatchObject({ status: 200, body: { gateway: 'praxis', failover_from: 'bridgerpay' } });
    praxis.failNext({ status: 503, body: { status: -1, description: 'maintenance' } });
    const both = await resolve();
    expect(both.status).toBe(502);
    expect(JSON.stringify(both.body)).toMatch(/praxis failed/);
  });
});
