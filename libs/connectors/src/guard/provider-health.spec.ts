import type { NatsConnection } from '@nats-io/transport-node';

import type { ProviderHealthReport } from '@app/contracts';

import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { ConnectorRegistry } from '../registry';
import { ProviderGuards } from './provider-guard';
import { mergeHealth, ProviderHealthBoard, ProviderHealthPublisher } from './provider-health';

const OPTS = { failureThreshold: 1, cooldownMs: 10_000, maxConcurrency: 4, retryAfterMaxMs: 60_000, windowMs: 60_000 };
const noNats = {} as NatsConnection;

describe('mergeHealth', () => {
  it('reads a provider nobody reported as closed, error rate 0, p95_ms null', () => {
    expect(mergeHealth([])).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
  });

  it('takes the worst state, the failures over all calls, and the highest p95', () => {
    expect(
      mergeHealth([
        { key: 'sendgrid', state: 'closed', calls: 6, failures: 0, p95_ms: 40 },
        { key: 'sendgrid', state: 'half_open', calls: 2, failures: 1, p95_ms: 900 },
      ]),
    ).toEqual({ state: 'half_open', error_rate: 0.125, p95_ms: 900 });
    expect(
      mergeHealth([
        { key: 'sendgrid', state: 'open', calls: 3, failures: 3, p95_ms: 500 },
        { key: 'sendgrid', state: 'half_open', calls: 0, failures: 0, p95_ms: null },
      ]),
    ).toEqual({ state: 'open', error_rate: 1, p95_ms: 500 });
  });
});

describe('ProviderHealthBoard', () => {
  let now = 0;
  const board = () => new ProviderHealthBoard(noNats, '', 15_000, () => now);
  const report = (
    instance: string,
    state: 'closed' | 'open',
    calls: number,
    failures: number,
  ): ProviderHealthReport => ({
    service: 'payments',
    instance,
    providers: [{ key: 'praxis', state, calls, failures, p95_ms: 100 }],
  });

  it('keeps the latest report of each process, merged over processes, and expires silent ones', () => {
    const b = board();
    now = 1000;
    expect(b.accept(report('payments-a', 'closed', 4, 0))).toBe(true);
    expect(b.accept(report('payments-b', 'open', 4, 4))).toBe(true);
    expect(b.health('praxis')).toEqual({ state: 'open', error_rate: 0.5, p95_ms: 100 });
    expect(b.health('bridgerpay')).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
    // replica b recovers: its newer report replaces the older one
    now = 5000;
    b.accept(report('payments-b', 'closed', 4, 0));
    expect(b.health('praxis')).toEqual({ state: 'closed', error_rate: 0, p95_ms: 100 });
    // replica a stopped reporting: after the expiry only b counts
    now = 1000 + 15_001;
    b.accept({ service: 'payments', instance: 'payments-b', providers: [] });
    expect(b.health('praxis')).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
  });

  it('ignores malformed reports', () => {
    const b = board();
    for (const bad of [
      null,
      'x',
      { service: 'payments' },
      {
        service: 'payments',
        instance: 'i',
        providers: [{ key: 'praxis', state: 'melted', calls: 1, failures: 0, p95_ms: 1 }],
      },
      {
        service: 'payments',
        instance: 'i',
        providers: [{ key: 'praxis', state: 'open', calls: 1, failures: 2, p95_ms: 1 }],
      },
    ]) {
      expect(b.accept(bad)).toBe(false);
    }
    expect(b.health('praxis')).toEqual({ state: 'closed', error_rate: 0, p95_ms: null });
  });
});

describe('ProviderHealthPublisher', () => {
  it('publishes the breakers on <prefix>svc.health.providers, at once when one changes state', async () => {
    const published: { subject: string; report: ProviderHealthReport }[] = [];
    const nc = {
      isClosed: () => false,
      publish: (subject: string, data: string) =>
        published.push({ subject, report: JSON.parse(data) as ProviderHealthReport }),
    } as unknown as NatsConnection;
    const guards = new ProviderGuards(OPTS);
    const publisher = new ProviderHealthPublisher(
      guards,
      nc,
      'test1',
      { service: 'comms', instance: 'comms-1' },
      600_000,
    ).start();
    try {
      await guards
        .for('twilio_sms')
        .run('sms.send', () => Promise.reject(new ConnectorError('timeout', 'no answer')))
        .catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      expect(published).toHaveLength(1);
      expect(published[0].subject).toBe('test1.svc.health.providers');
      expect(published[0].report).toMatchObject({
        service: 'comms',
        instance: 'comms-1',
        providers: [{ key: 'twilio_sms', state: 'open', calls: 1, failures: 1 }],
      });
    } finally {
      publisher.stop();
    }
    publisher.publish();
    expect(published).toHaveLength(1);
  });
});

describe('a guarded ConnectorRegistry', () => {
  const calls: string[] = [];
  const connector: Connector = {
    manifest: { key: 'fakepay', name: 'FakePay', category: 'payment', credential_fields: [], settings: [], hosts: [] },
    test: () => {
      calls.push('test');
      return Promise.reject(new ConnectorError('provider_error', 'HTTP 500'));
    },
    payment: {
      unsignedNotifications: true,
      openCashier: () => {
        calls.push('openCashier');
        return Promise.resolve({ type: 'redirect', redirect_url: 'https://pay.example/x' });
      },
      readNotification: () => {
        throw new Error('not used');
      },
      matchOrder: () => undefined,
      acknowledge: () => ({ status: 200, content_type: 'text/plain', body: 'OK' }),
    },
  };

  it("runs the provider calls under the provider's breaker and leaves local methods alone", async () => {
    const registry = new ConnectorRegistry([connector], new ProviderGuards(OPTS));
    const c = registry.get('fakepay')!;
    expect(c.manifest.key).toBe('fakepay');
    expect(c.payment!.unsignedNotifications).toBe(true);
    await expect(c.test({ credentials: {}, settings: {} })).rejects.toMatchObject({ code: 'provider_error' });
    expect(registry.guards!.for('fakepay').state).toBe('open');
    await expect(c.payment!.openCashier({ credentials: {}, settings: {} }, {} as never)).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(calls).toEqual(['test']);
    // webhook handling works locally and is never refused by the breaker
    expect(c.payment!.acknowledge({ credentials: {}, settings: {} })).toMatchObject({ status: 200 });
    expect(registry.list('payment')).toEqual([c]);
  });

  it('hands out the connectors as they are without guards', () => {
    expect(new ConnectorRegistry([connector]).get('fakepay')).toBe(connector);
  });
});
