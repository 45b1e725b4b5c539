import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import { Metrics } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import {
  DeadLetterTable1765000000000,
  DurableConsumer,
  ensureEventStream,
  eventStreamNames,
  MessagingTables1764000000000,
  OutboxRelay,
  OutboxWriter,
  type DurableConsumerOptions,
} from '../src';

class ProbeTable1764000000001 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE probe (id serial PRIMARY KEY, note text NOT NULL)`);
    await q.query(`CREATE TABLE effects (event_id text NOT NULL, at timestamptz DEFAULT now())`);
  }
  async down() {
    /* test only */
  }
}

const SUBJECT = eventSubjects.systemProbeRecorded;
const logger = pino({ level: 'silent' });

/** A relay that dies after publishing and before marking the rows, as a SIGKILL there would. */
class CrashingRelay extends OutboxRelay {
  crashes = 1;
  protected override async markPublished(m: EntityManager, ids: string[]) {
    if (this.crashes-- > 0) throw new Error('killed between publish and mark');
    return super.markPublished(m, ids);
  }
}

/** A consumer whose process dies after its transaction committed and before it acked. */
class NoAckConsumer<T> extends DurableConsumer<T> {
  protected override ack() {
    /* crash: never acked */
  }
}

describe('transactional outbox, relay and durable consumer (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;
  const outbox = new OutboxWriter();

  /** Every message now in the test's stream, read with an ordered consumer. */
  async function published(): Promise<{ id: string; note: string }[]> {
    const { stream } = eventStreamNames(infra.prefix);
    const consumer = await jetstream(nc).consumers.get(stream);
    const out: { id: string; note: string }[] = [];
    const info = await consumer.info(true);
    let pending = info.num_pending;
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, 500), expires: 2000 });
      for await (const m of batch) {
        out.push({ id: m.headers?.get('Nats-Msg-Id') ?? '', note: m.json<{ note: string }>().note });
        pending = m.info.pending;
      }
    }
    return out;
  }

  async function commitEvent(note: string): Promise<string> {
    return ds.transaction(async (m) => {
      await m.query(`INSERT INTO probe (note) VALUES ($1)`, [note]);
      return outbox.add(m, SUBJECT, { note });
    });
  }

  function relay(Cls: typeof OutboxRelay = OutboxRelay, metrics?: Metrics) {
    return new Cls({
      dataSource: ds,
      nc,
      schema: 'msgtest',
      prefix: infra.prefix,
      logger,
      pollMs: 100,
      batchSize: 50,
      metrics,
    });
  }

  beforeEach(async () => {
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'msgtest',
      entities: [],
      migrations: [MessagingTables1764000000000, DeadLetterTable1765000000000, ProbeTable1764000000001],
    });
    await initializeServiceDataSource(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await nc.close();
    await infra.cleanup();
  });

  it('never publishes an event written in a rolled-back transaction', async () => {
    await expect(
      ds.transaction(async (m) => {
        await m.query(`INSERT INTO probe (note) VALUES ('doomed')`);
        await outbox.add(m, SUBJECT, { note: 'doomed' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const kept = await commitEvent('kept');
    expect(await relay().drainOnce()).toBe(1);
    expect(await published()).toEqual([{ id: kept, note: 'kept' }]);
    expect(await ds.query(`SELECT note FROM probe`)).toEqual([{ note: 'kept' }]);
  });

  it('wakes the relay right after a commit that wrote events, without waiting for its poll', async () => {
    const r = new OutboxRelay({ dataSource: ds, nc, schema: 'msgtest', prefix: infra.prefix, logger, pollMs: 600_000 });
    await r.start();
    await new Promise((res) => setTimeout(res, 200)); // the first (empty) pass has run and the relay is idle
    const id = await commitEvent('prompt');
    await eventually('the event published', async () => (await published()).some((m) => m.id === id));
    await r.stop();
  });

  it('refuses to write an event outside a transaction', async () => {
    await expect(outbox.add(ds.manager, SUBJECT, { note: 'loose' })).rejects.toThrow(/inside the transaction/);
  });

  it('publishes a committed event exactly once when the relay dies between publish and mark', async () => {
    const id = await commitEvent('once');
    const crashing = relay(CrashingRelay);
    await expect(crashing.drainOnce()).rejects.toThrow('killed');
    const [row] = await ds.query<{ published_at: Date | null }[]>(`SELECT published_at FROM outbox WHERE id = $1`, [
      id,
    ]);
    expect(row.published_at).toBeNull(); // the mark rolled back: the row will be sent again
    expect(await relay().drainOnce()).toBe(1);
    expect(await published()).toEqual([{ id, note: 'once' }]);
  });

  it('publishes each event once with two relays running side by side', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await commitEvent(`e${i}`));
    const metricsA = new Metrics('a', { defaultMetrics: false });
    const metricsB = new Metrics('b', { defaultMetrics: false });
    const a = relay(OutboxRelay, metricsA);
    const b = relay(OutboxRelay, metricsB);
    await Promise.all([a.start(), b.start()]);
    await eventually(
      'every outbox row published',
      async () =>
        (await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`))[0].n ===
        0,
    );
    await Promise.all([a.stop(), b.stop()]);
    const msgs = await published();
    expect(msgs).toHaveLength(300);
    expect(new Set(msgs.map((m) => m.id))).toEqual(new Set(ids));
    // SKIP LOCKED: no row was published by both relays (JetStream de-dup would hide that in the stream)
    const sent = async (m: Metrics) => (await m.outboxPublished.get()).values.reduce((n, v) => n + v.value, 0);
    expect((await sent(metricsA)) + (await sent(metricsB))).toBe(300);
  });

  it('redelivers to a consumer that crashed before its ack, and the effect happens once', async () => {
    const metrics = new Metrics('test', { defaultMetrics: false });
    const opts: DurableConsumerOptions<{ note: string }> = {
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'probe-effects',
      filterSubject: SUBJECT,
      logger,
      metrics,
      ackWaitMs: 1000,
      handler: async (event, m) => {
        await m.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.id]);
      },
    };
    const id = await commitEvent('effect');
    await relay().drainOnce();

    const crashing = new NoAckConsumer(opts);
    await crashing.start();
    await eventually(
      'the effect committed',
      async () => (await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM effects`))[0].n === 1,
    );
    await crashing.stop();

    const healthy = new DurableConsumer(opts);
    await healthy.start();
    await eventually('the redelivery counted as a duplicate', async () =>
      (await metrics.consumerHandled.get()).values.some((v) => v.labels.outcome === 'duplicate' && v.value === 1),
    );
    await healthy.stop();
    expect(await ds.query(`SELECT event_id FROM effects`)).toEqual([{ event_id: id }]);
  });

  it('retries a handler that failed and commits its effect once', async () => {
    let calls = 0;
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'flaky',
      filterSubject: SUBJECT,
      logger,
      retryDelayMs: 50,
      handler: async (event, m) => {
        await m.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.id]);
        if (++calls === 1) throw new Error('transient failure after the write');
      },
    });
    await commitEvent('flaky');
    await relay().drainOnce();
    await consumer.start();
    await eventually('the redelivery', () => calls >= 2);
    await eventually(
      'one effect',
      async () => (await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM effects`))[0].n === 1,
    );
    await consumer.stop();
    expect(calls).toBe(2);
  });
});
