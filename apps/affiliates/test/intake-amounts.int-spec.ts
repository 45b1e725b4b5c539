import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { affiliatesSubjects } from '@app/contracts';
import { BusClient } from '@app/messaging';
import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, LogCapture, type TestInfra } from '@app/testing';

import type { AffiliatesConfig } from '../src/affiliates.config';
import { AffiliatesMetrics } from '../src/affiliates.metrics';
import { affiliatesService } from '../src/definition';

describe('affiliates intake from the bus: a deposit of zero or less is ignored and counted, never the FTD (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let svc: RunningService<AffiliatesConfig>;
  let nc: NatsConnection;
  let bus: BusClient;
  const logs = new LogCapture();
  let seq = 0;
  const deposit = (customer: string, amount: unknown) =>
    jetstream(nc).publish(
      `${infra.prefix}.evt.payments.deposit.approved`,
      JSON.stringify({
        order_id: `o-${++seq}`,
        direction: 'deposit',
        customer_id: customer,
        country: 'DE',
        amount,
        currency: 'USD',
        gateway: 'praxis',
        provider_transaction_id: `tx-${seq}`,
        approved_at: new Date().toISOString(),
      }),
      { msgID: `dep-${customer}-${seq}` },
    );

  beforeAll(async () => {
    infra = await createTestInfra();
    svc = await startService(affiliatesService, {
      env: { ...infra.env, AFFILIATE_BATCH_INTERVAL_MS: '3600000' },
      logDestination: logs,
    });
    nc = await connect({ servers: infra.natsUrl });
    bus = new BusClient({ nc, prefix: infra.prefix, timeoutMs: 10000 });
  });
  afterAll(async () => {
    await nc?.close();
    await svc?.stop();
    await infra?.cleanup();
  });

  it('with no threshold set, skips the zero and negative deposits and makes the next real deposit the FTD', async () => {
    const ds = svc.dataSource;
    await ds.query(
      `INSERT INTO affiliates (id, name, webhook_url, secret_sealed, secret_hint) VALUES ('a1', 'A1', 'https://a1.example/hook', 'v1.x', '****')`,
    );
    await ds.query(
      `INSERT INTO leads (customer_id, affiliate_id, affiliate_lead_id, country) VALUES ('c1', 'a1', 'L-c1', 'DE')`,
    );
    expect(await ds.query(`SELECT count(*)::int AS n FROM ftd_thresholds`)).toEqual([{ n: 0 }]);

    await deposit('c1', '0');
    await deposit('c1', '0.00');
    await deposit('c1', 0);
    await deposit('c1', '-5');
    await deposit('c1', '150.00');
    await eventually(
      'the real deposit recorded',
      async () => (await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM lead_events`))[0].n >= 1,
    );

    expect(await ds.query(`SELECT customer_id, event, item->>'amount' AS amount FROM lead_events`)).toEqual([
      { customer_id: 'c1', event: 'lead.ftd', amount: '150' },
    ]);
    const ignored = (await svc.app.get(AffiliatesMetrics).ignored.get()).values.find(
      (v) => v.labels.reason === 'non_positive_amount',
    );
    expect(ignored?.value).toBe(4);
    const stats = await bus.request(affiliatesSubjects.intakeStats, {});
    expect(stats.ignored_events).toEqual({ non_positive_amount: 4 });
  });
});
