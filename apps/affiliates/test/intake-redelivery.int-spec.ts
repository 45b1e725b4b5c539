import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { ConsumerRegistry } from '@app/messaging';
import { Metrics } from '@app/observability';
import { DATA_SOURCE, INSTANCE, LOGGER, type InstanceInfo } from '@app/runtime';
import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, LogCapture, type TestInfra } from '@app/testing';

import type { AffiliatesConfig } from '../src/affiliates.config';
import { affiliatesService } from '../src/definition';
import { IntakeConsumers } from '../src/intake/intake.consumers';
import { IntakeService } from '../src/intake/intake.service';

/**
 * The service's DataSource, except that every transaction commits and then fails: the consumer's
 * effect is durable but its ack never goes out, as when a replica dies between commit and ack.
 */
function crashingAfterCommit(ds: DataSource): DataSource {
  return new Proxy(ds, {
    get(target, key, receiver) {
      if (key !== 'transaction') return Reflect.get(target, key, receiver) as unknown;
      return async (...args: Parameters<DataSource['transaction']>) => {
        await (target.transaction as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        throw new Error('crashed after the commit, before the ack');
      };
    },
  });
}

describe('affiliates intake from the bus: a deposit redelivered after a lost ack is recorded once (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let svc: RunningService<AffiliatesConfig>;
  let nc: NatsConnection;
  const logs = new LogCapture();

  beforeAll(async () => {
    infra = await createTestInfra();
    svc = await startService(affiliatesService, {
      env: { ...infra.env, AFFILIATE_BATCH_INTERVAL_MS: '3600000' },
      logDestination: logs,
    });
    nc = await connect({ servers: infra.natsUrl });
  });
  afterAll(async () => {
    await nc?.close();
    await svc?.stop();
    await infra?.cleanup();
  });

  it('redelivers to the intake consumer that crashed before its ack, and one lead event exists', async () => {
    const ds = svc.dataSource;
    const q = async (sql: string) => Number((await ds.query<{ n: number | string }[]>(sql))[0].n);
    await ds.query(
      `INSERT INTO affiliates (id, name, webhook_url, secret_sealed, secret_hint) VALUES ('a1', 'A1', 'https://a1.example/hook', 'v1.x', '****')`,
    );
    await ds.query(
      `INSERT INTO leads (customer_id, affiliate_id, affiliate_lead_id, country) VALUES ('c1', 'a1', 'L-c1', 'DE')`,
    );

    // the replica's own intake stops: only the consumers of this test pull from the durable from now on
    await svc.app.get(IntakeConsumers).stop();
    const deps = (dataSource: DataSource, metrics: Metrics) =>
      new IntakeConsumers(
        svc.app.get(IntakeService),
        svc.nc,
        dataSource,
        svc.app.get<Logger>(LOGGER),
        svc.app.get<InstanceInfo>(INSTANCE),
        metrics,
        svc.app.get(ConsumerRegistry),
        svc.config,
      );
    expect(svc.app.get<DataSource>(DATA_SOURCE)).toBe(ds);

    await jetstream(nc).publish(
      `${infra.prefix}.evt.payments.deposit.approved`,
      JSON.stringify({
        customer_id: 'c1',
        country: 'DE',
        amount: '30.00',
        currency: 'USD',
        gateway: 'praxis',
        provider_transaction_id: 'tx-1',
        approved_at: new Date().toISOString(),
      }),
      { msgID: 'dep-c1-1' },
    );

    const crashing = deps(crashingAfterCommit(ds), new Metrics('crashing', { defaultMetrics: false }));
    await crashing.start();
    await eventually('the effect committed', async () => (await q(`SELECT count(*)::int AS n FROM lead_events`)) === 1);
    await crashing.stop();

    const metrics = new Metrics('healthy', { defaultMetrics: false });
    const healthy = deps(ds, metrics);
    await healthy.start();
    try {
      await eventually('the redelivery seen as a duplicate', async () =>
        (await metrics.consumerHandled.get()).values.some((v) => v.labels.outcome === 'duplicate' && v.value >= 1),
      );
    } finally {
      await healthy.stop();
    }
    // no threshold is set: the first deposit is the FTD; a second copy would have been queued (suppressed) too
    expect(await ds.query(`SELECT customer_id, event FROM lead_events`)).toEqual([
      { customer_id: 'c1', event: 'lead.ftd' },
    ]);
    expect(await q(`SELECT count(*)::int AS n FROM processed_messages WHERE consumer = 'affiliates-deposits'`)).toBe(1);
  });
});
