import { randomUUID } from 'node:crypto';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import { Metrics } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { ConfigError, loadConfig, ServiceConfig } from '@app/runtime';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import {
  ConsumerLag,
  ConsumerRegistry,
  DeadLetterTable1765000000000,
  DurableConsumer,
  ensureEventStream,
  EVENTS_STREAM_MAX_AGE_MS,
  eventStreamNames,
  LedgerPurge,
  MessagingTables1764000000000,
  prefixed,
  ProcessedMessagesAge1766000000000,
} from '../src';

class EffectsTable1764000000003 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query(
      `CREATE TABLE effects (n bigserial PRIMARY KEY, key text NOT NULL, seq int NOT NULL, delivery int NOT NULL)`,
    );
  }
  async down() {
    /* test only */
  }
}

interface Probe {
  key: string;
  seq: number;
}

/** Each test its own subject (and durable): the stream is shared by the file, its durables start from its first message. */
const subjectOf = (durable: string) => `${eventSubjects.systemProbeRecorded}.${durable}`;
const logger = pino({ level: 'silent' });
const DAY = 86_400_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durable consumer throughput: concurrency with per-key order, working() extensions, lag gauge, ledger purge (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;
  const consumers: DurableConsumer<Probe, unknown>[] = [];
  /** Run before the consumers stop: a test that failed early must not leave a handler blocked. */
  const releases: (() => void)[] = [];
  const blocker = () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    releases.push(release);
    return { released, release };
  };

  async function publish(durable: string, probes: Probe[]): Promise<void> {
    const js = jetstream(nc);
    for (const p of probes)
      await js.publish(prefixed(infra.prefix, subjectOf(durable)), JSON.stringify(p), { msgID: randomUUID() });
  }
  const effects = async () =>
    ds.query<{ key: string; seq: number; delivery: number }[]>(`SELECT key, seq, delivery FROM effects ORDER BY n`);
  const seqsOf = (rows: { key: string; seq: number }[], key: string) =>
    rows.filter((r) => r.key === key).map((r) => r.seq);
  const track = <P>(c: DurableConsumer<Probe, P>) => {
    consumers.push(c as unknown as DurableConsumer<Probe, unknown>);
    return c;
  };

  beforeAll(async () => {
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'tptest',
      entities: [],
      migrations: [
        MessagingTables1764000000000,
        DeadLetterTable1765000000000,
        ProcessedMessagesAge1766000000000,
        EffectsTable1764000000003,
      ],
    });
    await initializeServiceDataSource(ds);
  });
  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    for (const c of consumers.splice(0)) await c.stop();
    await ds.query(`TRUNCATE effects, processed_messages, dead_letters`);
  });
  afterAll(async () => {
    await ds?.destroy();
    await nc?.close();
    await infra?.cleanup();
  });

  it('handles keys in parallel up to the limit while each key stays in order, its fetch outside the transaction', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
    const probes: Probe[] = [];
    for (let seq = 1; seq <= 10; seq++) for (const key of keys) probes.push({ key, seq });
    let inPrepare = 0;
    let peak = 0;
    let prepareInTransaction = false;
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const consumer = track(
      new DurableConsumer<Probe, { fetched: string }>({
        nc,
        dataSource: ds,
        prefix: infra.prefix,
        durable: 'tp-order',
        filterSubject: subjectOf('tp-order'),
        logger,
        concurrency: 4,
        orderKey: (e) => e.data.key,
        prepare: async (e) => {
          inPrepare++;
          peak = Math.max(peak, inPrepare);
          // a provider call of random length: without the per-key order, later events would overtake
          await sleep(Math.floor(random() * 25));
          // nothing of this consumer's is in a transaction here: the ledger row of this message is not written yet
          const rows: unknown[] = await ds.query(
            `SELECT 1 FROM processed_messages WHERE consumer = 'tp-order' AND message_id = $1`,
            [e.id],
          );
          if (rows.length) prepareInTransaction = true;
          inPrepare--;
          return { fetched: `${e.data.key}/${e.data.seq}` };
        },
        handler: async (e, m, prepared) => {
          expect(prepared.fetched).toBe(`${e.data.key}/${e.data.seq}`);
          await m.query(`INSERT INTO effects (key, seq, delivery) VALUES ($1, $2, $3)`, [
            e.data.key,
            e.data.seq,
            e.deliveryCount,
          ]);
        },
      }),
    );
    await publish('tp-order', probes);
    await consumer.start();
    const rows = await eventually('every event handled', async () => {
      const r = await effects();
      return r.length >= probes.length && r;
    });
    expect(rows).toHaveLength(probes.length);
    for (const key of keys) expect(seqsOf(rows, key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(peak).toBe(4);
    expect(prepareInTransaction).toBe(false);
  });

  it('a failing event of one key holds the later ones of that key (retried in place) but not the other keys', async () => {
    let fixed = false;
    const attemptsOfA1: number[] = [];
    const consumer = track(
      new DurableConsumer<Probe>({
        nc,
        dataSource: ds,
        prefix: infra.prefix,
        durable: 'tp-failing',
        filterSubject: subjectOf('tp-failing'),
        logger,
        concurrency: 2,
        orderKey: (e) => e.data.key,
        maxDeliveries: 100,
        retryDelayMs: 20,
        maxRetryDelayMs: 50,
        handler: async (e, m) => {
          if (e.data.key === 'A' && e.data.seq === 1) {
            attemptsOfA1.push(e.deliveryCount);
            if (!fixed) throw new Error('provider away');
          }
          await m.query(`INSERT INTO effects (key, seq, delivery) VALUES ($1, $2, $3)`, [
            e.data.key,
            e.data.seq,
            e.deliveryCount,
          ]);
        },
      }),
    );
    await publish('tp-failing', [
      { key: 'A', seq: 1 },
      { key: 'A', seq: 2 },
      { key: 'B', seq: 1 },
      { key: 'A', seq: 3 },
      { key: 'B', seq: 2 },
      { key: 'B', seq: 3 },
    ]);
    await consumer.start();
    await eventually('all of B handled', async () => seqsOf(await effects(), 'B').length === 3);
    await eventually('A1 failed a few times', () => attemptsOfA1.length >= 3);
    // B went on; nothing of A overtook the failing A1
    expect(seqsOf(await effects(), 'A')).toEqual([]);
    fixed = true;
    const rows = await eventually('all of A handled', async () => {
      const r = await effects();
      return seqsOf(r, 'A').length === 3 && r;
    });
    expect(seqsOf(rows, 'A')).toEqual([1, 2, 3]);
    expect(seqsOf(rows, 'B')).toEqual([1, 2, 3]);
    // the attempt number grows with the retries in place, as a redelivery's count would
    expect(attemptsOfA1).toEqual(attemptsOfA1.map((_, i) => i + 1));
    expect(rows.find((r) => r.key === 'A' && r.seq === 1)!.delivery).toBe(attemptsOfA1.length);
    // the failure records are cleared once it succeeded
    expect(await ds.query(`SELECT * FROM dead_letters`)).toEqual([]);
  });

  it('keeps a handler that works longer than ack_wait, and the events waiting behind it, from being redelivered (working())', async () => {
    const { released, release } = blocker();
    const prepared: { key: string; seq: number; delivery: number }[] = [];
    const consumer = track(
      new DurableConsumer<Probe>({
        nc,
        dataSource: ds,
        prefix: infra.prefix,
        durable: 'tp-slow',
        filterSubject: subjectOf('tp-slow'),
        logger,
        ackWaitMs: 1000,
        concurrency: 2,
        orderKey: (e) => e.data.key,
        prepare: async (e) => {
          prepared.push({ ...e.data, delivery: e.deliveryCount });
          if (e.data.seq === 1) await released;
          return undefined;
        },
        handler: async (e, m) => {
          await m.query(`INSERT INTO effects (key, seq, delivery) VALUES ($1, $2, $3)`, [
            e.data.key,
            e.data.seq,
            e.deliveryCount,
          ]);
        },
      }),
    );
    await publish('tp-slow', [
      { key: 'S', seq: 1 },
      { key: 'S', seq: 2 },
    ]);
    await consumer.start();
    await eventually('the slow fetch started', () => prepared.length >= 1);
    // three and a half ack_waits: without working() the server would have offered both messages again
    await sleep(3500);
    const { stream } = eventStreamNames(infra.prefix);
    const info = await (await jetstreamManager(nc)).consumers.info(stream, `${infra.prefix}_tp-slow`);
    expect(info.num_redelivered).toBe(0);
    expect(info.num_ack_pending).toBe(2);
    release();
    const rows = await eventually('both handled', async () => {
      const r = await effects();
      return r.length === 2 && r;
    });
    expect(rows).toEqual([
      { key: 'S', seq: 1, delivery: 1 },
      { key: 'S', seq: 2, delivery: 1 },
    ]);
    expect(prepared).toEqual([
      { key: 'S', seq: 1, delivery: 1 },
      { key: 'S', seq: 2, delivery: 1 },
    ]);
  });

  it('reports each durable backlog as consumer_pending_messages, then drains it to 0', async () => {
    const metrics = new Metrics('test', { defaultMetrics: false });
    const registry = new ConsumerRegistry();
    const lag = new ConsumerLag(nc, infra.prefix);
    metrics.countPendingWith(() => lag.pending(registry.names()));
    const gauge = async () => {
      const text = await metrics.registry.getSingleMetricAsString('consumer_pending_messages');
      const m = /consumer_pending_messages\{[^}]*consumer="tp-lag"[^}]*\} (\d+)/.exec(text);
      return m ? Number(m[1]) : null;
    };
    const { released, release } = blocker();
    const consumer = track(
      new DurableConsumer<Probe>({
        nc,
        dataSource: ds,
        prefix: infra.prefix,
        durable: 'tp-lag',
        filterSubject: subjectOf('tp-lag'),
        logger,
        metrics,
        registry,
        maxHeld: 1, // one message in work here, the rest waits on the server
        prepare: async () => {
          await released;
          return undefined;
        },
        handler: async (e, m) => {
          await m.query(`INSERT INTO effects (key, seq, delivery) VALUES ($1, $2, $3)`, [
            e.data.key,
            e.data.seq,
            e.deliveryCount,
          ]);
        },
      }),
    );
    await consumer.start();
    expect(await gauge()).toBe(0);
    await publish(
      'tp-lag',
      Array.from({ length: 25 }, (_, i) => ({ key: 'L', seq: i + 1 })),
    );
    // not yet delivered plus delivered and unacked: the whole backlog
    expect(await eventually('the backlog counted', async () => (await gauge()) === 25)).toBe(true);
    release();
    await eventually('the backlog drained', async () => (await gauge()) === 0);
    expect(await effects()).toHaveLength(25);
  });

  describe('processed-message ledger purge horizon', () => {
    it('refuses a ledger retention shorter than the stream max_age plus a day at config time', () => {
      expect(loadConfig(ServiceConfig, {}).CONSUMER_LEDGER_RETENTION_MS).toBeGreaterThan(
        EVENTS_STREAM_MAX_AGE_MS + DAY,
      );
      const tooShort = () =>
        loadConfig(ServiceConfig, { CONSUMER_LEDGER_RETENTION_MS: String(EVENTS_STREAM_MAX_AGE_MS) });
      expect(tooShort).toThrow(ConfigError);
      expect(tooShort).toThrow(/CONSUMER_LEDGER_RETENTION_MS must be at least the EVENTS stream's max_age/);
      expect(
        loadConfig(ServiceConfig, { CONSUMER_LEDGER_RETENTION_MS: String(EVENTS_STREAM_MAX_AGE_MS + DAY) })
          .CONSUMER_LEDGER_RETENTION_MS,
      ).toBe(EVENTS_STREAM_MAX_AGE_MS + DAY);
    });

    const ages = async (): Promise<number[]> =>
      (
        await ds.query<{ days: number }[]>(
          `SELECT round(extract(epoch FROM now() - processed_at) / 86400)::int AS days FROM processed_messages ORDER BY processed_at`,
        )
      )
        .map((r) => r.days)
        .sort((a, b) => b - a);

    it('forgets only ids older than the retention, and never ids the stream may still redeliver', async () => {
      for (const days of [40, 22, 20, 14, 0]) {
        await ds.query(
          `INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('c', $1, now() - $2 * interval '1 day')`,
          [randomUUID(), days],
        );
      }
      const purge = (retentionMs: number) =>
        new LedgerPurge({ dataSource: ds, nc, prefix: infra.prefix, retentionMs, logger, batchSize: 1 });
      expect(await purge(21 * DAY).purgeOnce()).toBe(2);
      expect(await ages()).toEqual([20, 14, 0]);
      // a retention below the stream's age (possible only past the config check) is raised to max_age + margin, 15 days
      expect(await purge(DAY).purgeOnce()).toBe(1);
      expect(await ages()).toEqual([14, 0]);

      // an operator raised the stream's max_age by hand to 30 days: ids younger than 31 days stay
      const jsm = await jetstreamManager(nc);
      const { stream } = eventStreamNames(infra.prefix);
      const info = await jsm.streams.info(stream);
      await ds.query(
        `INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('c', 'old-25', now() - interval '25 days')`,
      );
      await jsm.streams.update(stream, { ...info.config, max_age: nanos(30 * DAY) });
      try {
        expect(await purge(21 * DAY).purgeOnce()).toBe(0);
        expect(await ages()).toEqual([25, 14, 0]);
        // a stream that keeps messages forever: nothing is ever purged
        await jsm.streams.update(stream, { ...info.config, max_age: 0 });
        expect(await purge(21 * DAY).purgeOnce()).toBe(0);
        expect(await ages()).toEqual([25, 14, 0]);
      } finally {
        await ensureEventStream(nc, infra.prefix);
      }
    });
  });
});
