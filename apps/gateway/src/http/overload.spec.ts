import type { NatsConnection, Status } from '@nats-io/transport-node';
import type { FastifyRequest } from 'fastify';
import pino from 'pino';

import { BusLink, isExempt, isPlatformApi } from './overload';

/** A connection whose status events the test pushes one at a time. */
function fakeConnection() {
  const queue: Status[] = [];
  let wake: (() => void) | null = null;
  let closed: () => void = () => undefined;
  const nc = {
    status: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length) yield queue.shift()!;
          await new Promise<void>((r) => {
            wake = r;
          });
        }
      },
    }),
    closed: () =>
      new Promise<void | Error>((r) => {
        closed = () => r();
      }),
  } as unknown as NatsConnection;
  const push = async (s: Status) => {
    queue.push(s);
    wake?.();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    nc,
    push,
    close: async () => {
      closed();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe(BusLink.name, () => {
  it('is down from a disconnect or reconnecting until the reconnect, and for good once closed', async () => {
    const { nc, push, close } = fakeConnection();
    const link = new BusLink(nc, pino({ level: 'silent' }));
    expect(link.isUp()).toBe(true);
    await push({ type: 'disconnect', server: '127.0.0.1:4222' });
    expect(link.isUp()).toBe(false);
    await push({ type: 'reconnecting' });
    expect(link.isUp()).toBe(false);
    await push({ type: 'reconnect', server: '127.0.0.1:4222' });
    expect(link.isUp()).toBe(true);
    await push({ type: 'ping', pendingPings: 1 });
    expect(link.isUp()).toBe(true);
    await close();
    expect(link.isUp()).toBe(false);
  });

  it('tells a waiting listener once when the link drops, and never a cancelled one', async () => {
    const { nc, push } = fakeConnection();
    const link = new BusLink(nc, pino({ level: 'silent' }));
    const told = jest.fn();
    const cancelled = jest.fn();
    link.onDown(told);
    link.onDown(cancelled)();
    await push({ type: 'disconnect', server: '127.0.0.1:4222' });
    await push({ type: 'reconnecting' });
    expect(told).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });
});

describe('shedding exemptions and the rate-limited paths', () => {
  it('never sheds the probes, metrics and API description', () => {
    for (const p of ['/livez', '/readyz', '/health', '/metrics', '/docs', '/docs/static/index.html', '/docs-json'])
      expect(isExempt(p)).toBe(true);
    for (const p of [
      '/api/platform/diagnostics/noop',
      '/webhooks/kyc/sumsub',
      '/payments/gateway',
      '/healthz',
      '/metrics2',
    ])
      expect(isExempt(p)).toBe(false);
  });

  it('rate-limits /api/platform/** however it is spelled, and nothing else', () => {
    const req = (url: string, route?: string) => ({ url, routeOptions: { url: route } }) as unknown as FastifyRequest;
    expect(isPlatformApi(req('/api/platform/diagnostics/noop?x=1'))).toBe(true);
    expect(isPlatformApi(req('/%61pi/platform/diagnostics/noop'))).toBe(true);
    expect(isPlatformApi(req('/x', '/api/platform/catalog/providers'))).toBe(true);
    expect(isPlatformApi(req('/webhooks/kyc/sumsub', '/webhooks/:service/:provider'))).toBe(false);
    expect(isPlatformApi(req('/payments/gateway'))).toBe(false);
    expect(isPlatformApi(req('/api/platformer'))).toBe(false);
  });
});
