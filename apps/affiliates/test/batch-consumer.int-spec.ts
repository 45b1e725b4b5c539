import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import {
  ConsumerRegistry,
  DeadLetterService,
  DeadLetterTable1765000000000,
  ensureEventStream,
  MessagingTables1764000000000,
} from '@app/messaging';
import { Metrics } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import { BatchDurableConsumer } from '../src/intake/batch-consumer';

class Effects1764000000003 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE effects (note text PRIMARY KEY)`);
  }
  async down() {
    /* test only */
  }
}

const SUBJECT = eventSubjects.systemProbeRecorded;
const logger = pino({ level: 'silent' });

/** The affiliates intake's batch consumer: one poison in a batch must not hold back the others. */
describe('batch durable consumer isolates a poison message (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;

  beforeAll(async () => {
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'batchtest',
      entities: [],
      migrations: [MessagingTables1764000000000, DeadLetterTable1765000000000, Effects1764000000003],
    });
    await initializeServiceDataSource(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await nc?.close();
    await infra?.cleanup();
  });

  const effects = async () =>
    ((await ds.query(`SELECT note FROM effects ORDER BY note`)) as { note: string }[]).map((r) => r.note);
  const parked = async () =>
    ds.query(`SELECT * FROM dead_letters WHERE parked_at IS NOT NULL`) as Promise<Record<string, unknown>[]>;

  it('commits the good messages of a failing batch, parks the poison after its deliveries, and replays it once fixed', async () => {
    const js = jetstream(nc);
    const notes = ['a', 'b', 'poison', 'c', 'd', 'e'];
    // published before the consumer starts, so they arrive as one batch
    for (const note of notes)
      await js.publish(`${infra.prefix}.${SUBJECT}`, JSON.stringify({ note }), { msgID: `m-${note}` });
    let broken = true;
    const batches: string[][] = [];
    const metrics = new Metrics('test', { defaultMetrics: false });
    const registry = new ConsumerRegistry();
    const consumer = new BatchDurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'affiliates-probe',
      filterSubject: SUBJECT,
      logger,
      metrics,
      registry,
      maxBatch: 100,
      maxDeliveries: 3,
      retryDelayMs: 50,
      handler: async (events, m) => {
        batches.push(events.map((e) => e.data.note));
        // the first batch is slow, so the others pile up behind it and arrive together
        if (batches.length === 1) await new Promise((r) => setTimeout(r, 300));
        for (const e of events) {
          if (broken && e.data.note === 'poison') throw new Error('poison refused');
          await m.query(`INSERT INTO effects (note) VALUES ($1)`, [e.data.note]);
        }
      },
    });
    await consumer.start();
    await eventually('the good ones committed', async () => (await effects()).length === 5);
    const [dl] = await eventually('the poison parked', async () => (await parked())[0] && parked());
    await consumer.stop();

    expect(await effects()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // the poison did arrive in a batch with others, and that batch was then split
    expect(batches.some((b) => b.length > 1 && b.includes('poison'))).toBe(true);
    expect(batches.filter((b) => b.length === 1 && b[0] === 'poison').length).toBeGreaterThanOrEqual(3);
    expect(dl).toMatchObject({
      consumer: 'affiliates-probe',
      message_id: 'm-poison',
      payload: { note: 'poison' },
      attempts: 3,
      error: 'poison refused',
    });
    expect((await metrics.deadLettersTotal.get()).values).toEqual([expect.objectContaining({ value: 1 })]);

    broken = false;
    await consumer.start();
    const service = new DeadLetterService({ dataSource: ds, registry, logger });
    expect(await service.replay(dl.id as string)).toEqual({ id: dl.id });
    await service.idle();
    await consumer.stop();
    expect(await effects()).toEqual(['a', 'b', 'c', 'd', 'e', 'poison']);
    expect(await parked()).toEqual([]);
  });

  it('parks a message that is not JSON instead of dropping it', async () => {
    const js = jetstream(nc);
    await js.publish(`${infra.prefix}.${SUBJECT}`, '{oops', { msgID: 'garbage' });
    await js.publish(`${infra.prefix}.${SUBJECT}`, JSON.stringify({ note: 'f' }), { msgID: 'm-f' });
    const consumer = new BatchDurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'affiliates-garbage',
      filterSubject: SUBJECT,
      logger,
      maxBatch: 100,
      handler: async (events, m) => {
        for (const e of events)
          if (e.data.note === 'f')
            await m.query(`INSERT INTO effects (note) VALUES ($1) ON CONFLICT DO NOTHING`, [e.data.note]);
      },
    });
    await consumer.start();
    const rows = await eventually('garbage parked', async () => {
      const r = (await parked()).filter((d) => d.consumer === 'affiliates-garbage');
      return r.length ? r : null;
    });
    await consumer.stop();
    expect(rows).toEqual([expect.objectContaining({ message_id: 'garbage', payload: '{oops', attempts: 1 })]);
    expect(await effects()).toContain('f');
  });
});
