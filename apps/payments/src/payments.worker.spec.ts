import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

import type { InstanceInfo } from '@app/runtime';

import type { PaymentsConfig } from './payments.config';
import { PaymentsWorker } from './payments.worker';
import { RoutingChanges } from './routing/routing-changes';
import type { RoutingTable } from './routing/routing-table';

/** The worker with its NATS connection and table replaced: which change messages make it reload. */
function setup() {
  const callbacks: Array<(err: Error | null, msg: Msg) => void> = [];
  const nc = {
    subscribe: (_subject: string, opts: { callback: (err: Error | null, msg: Msg) => void }) => {
      callbacks.push(opts.callback);
      return { unsubscribe: () => undefined };
    },
    status: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
  } as unknown as NatsConnection;
  const instance: InstanceInfo = { service: 'payments', instanceId: 'payments-self', prefix: '' };
  let reloads = 0;
  const table = {
    reload: () => {
      reloads++;
      return Promise.resolve();
    },
  } as unknown as RoutingTable;
  const logger = { warn: () => undefined } as unknown as Logger;
  const worker = new PaymentsWorker(
    table,
    new RoutingChanges(nc, instance),
    nc,
    { PAYMENTS_ROUTING_REFRESH_MS: 60_000 } as PaymentsConfig,
    logger,
  );
  const deliver = (payload: string) => {
    for (const cb of callbacks) cb(null, { data: new TextEncoder().encode(payload) } as Msg);
  };
  return { worker, deliver, reloads: () => reloads };
}

describe('PaymentsWorker: reloads on routing changes', () => {
  it("skips the changes this replica made (it reloaded after its commit), reloads on every other replica's", async () => {
    const { worker, deliver, reloads } = setup();
    await worker.start();
    const atStart = reloads();
    deliver(
      JSON.stringify({ action: 'route_put', country: 'PT', at: new Date().toISOString(), origin: 'payments-self' }),
    );
    expect(reloads()).toBe(atStart);
    deliver(
      JSON.stringify({ action: 'route_put', country: 'PT', at: new Date().toISOString(), origin: 'payments-other' }),
    );
    expect(reloads()).toBe(atStart + 2); // two subjects: the durable event and the hint
    await worker.stop();
  });

  it('reloads on a change with no origin (written before origins existed) and on an unreadable one', async () => {
    const { worker, deliver, reloads } = setup();
    await worker.start();
    const atStart = reloads();
    deliver(JSON.stringify({ action: 'default_set', country: null, at: new Date().toISOString() }));
    deliver('not json');
    expect(reloads()).toBe(atStart + 4);
    await worker.stop();
  });
});
