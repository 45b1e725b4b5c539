import { jetstream } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import { Metrics, shutdownTracing, startTracing } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import {
  AuditLog,
  AuditTrailTable1767000000000,
  ConsumerRegistry,
  DeadLetterService,
  DeadLetterTable1765000000000,
  DurableConsumer,
  ensureEventStream,
  MessagingTables1764000000000,
} from '../src';

class Effects1764000000003 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query(`CREATE TABLE effects (note text PRIMARY KEY)`);
  }
  async down() {
    /* test only */
  }
}

const SUBJECT = eventSubjects.systemProbeRecorded;
/** The spans' test has a subject of its own: it sees none of the other tests' messages. */
const TRACED = 'evt.system.batch.traced';
const logger = pino({ level: 'silent' });
const traceOf = (n: number) => `${n}`.repeat(32).slice(0, 32);
const spanOf = (n: number) => `${n}`.repeat(16).slice(0, 16);

/** Batch mode (the affiliates intake): one poison in a batch must not hold back the others; spans as every consumer's. */
describe('durable consumer in batch mode (real NATS and Postgres, OTEL on)', () => {
  const exporter = new InMemorySpanExporter();
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;

  beforeAll(async () => {
    startTracing({
      serviceName: 'batchtest',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      spanProcessor: new SimpleSpanProcessor(exporter),
    });
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'batchtest',
      entities: [],
      migrations: [
        MessagingTables1764000000000,
        DeadLetterTable1765000000000,
        AuditTrailTable1767000000000,
        Effects1764000000003,
      ],
    });
    await initializeServiceDataSource(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await nc?.close();
    await infra?.cleanup();
    await shutdownTracing();
  });

  const effects = async () =>
    (await ds.query<{ note: string }[]>(`SELECT note FROM effects ORDER BY note`)).map((r) => r.note);
  const parked = async () =>
    ds.query<Record<string, unknown>[]>(`SELECT * FROM dead_letters WHERE parked_at IS NOT NULL`);

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
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'batch-probe',
      filterSubject: SUBJECT,
      logger,
      metrics,
      registry,
      maxDeliveries: 3,
      retryDelayMs: 50,
      batch: {
        max: 100,
        handler: async (events, m) => {
          batches.push(events.map((e) => e.data.note));
          // the first batch is slow, so the others pile up behind it and arrive together
          if (batches.length === 1) await new Promise((r) => setTimeout(r, 300));
          for (const e of events) {
            if (broken && e.data.note === 'poison') throw new Error('poison refused');
            await m.query(`INSERT INTO effects (note) VALUES ($1)`, [e.data.note]);
          }
        },
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
      consumer: 'batch-probe',
      message_id: 'm-poison',
      payload: { note: 'poison' },
      attempts: 3,
      error: 'poison refused',
    });
    expect((await metrics.deadLettersTotal.get()).values).toEqual([expect.objectContaining({ value: 1 })]);
    const handled = (await metrics.consumerHandled.get()).values.filter((v) => v.labels.outcome === 'handled');
    expect(handled).toEqual([expect.objectContaining({ value: 5 })]);
    expect(consumer.heldMessages).toBe(0);

    broken = false;
    await consumer.start();
    const service = new DeadLetterService({ dataSource: ds, registry, audit: new AuditLog(ds, 'kyc'), logger });
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
    const consumer = new DurableConsumer<{ note: string }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'batch-garbage',
      filterSubject: SUBJECT,
      logger,
      batch: {
        max: 100,
        handler: async (events, m) => {
          for (const e of events)
            if (e.data.note === 'f')
              await m.query(`INSERT INTO effects (note) VALUES ($1) ON CONFLICT DO NOTHING`, [e.data.note]);
        },
      },
    });
    await consumer.start();
    const rows = await eventually('garbage parked', async () => {
      const r = (await parked()).filter((d) => d.consumer === 'batch-garbage');
      return r.length ? r : null;
    });
    await consumer.stop();
    expect(rows).toEqual([expect.objectContaining({ message_id: 'garbage', payload: '{oops', attempts: 1 })]);
    expect(await effects()).toContain('f');
  });

  it('a batch of several is one consumer span linked to each trace; a batch of one continues its trace', async () => {
    const publish = async (n: number) => {
      const h = headers();
      h.set('traceparent', `00-${traceOf(n)}-${spanOf(n)}-01`);
      await jetstream(nc).publish(`${infra.prefix}.${TRACED}`, JSON.stringify({ n }), {
        msgID: `t-${n}`,
        headers: h,
      });
    };
    // published before the consumer starts: they arrive as one batch
    await publish(1);
    await publish(2);
    const seen: number[][] = [];
    const consumer = new DurableConsumer<{ n: number }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'batch-trace',
      filterSubject: TRACED,
      logger,
      batch: {
        max: 100,
        handler: (events) => {
          seen.push(events.map((e) => e.data.n));
          return Promise.resolve();
        },
      },
    });
    await consumer.start();
    await eventually('the first batch', () => seen.flat().length === 2);
    await publish(3);
    await eventually('the lone message', () => seen.flat().length === 3);
    await consumer.stop();

    const spans = exporter.getFinishedSpans().filter((s) => s.name === `${TRACED} process`);
    const linkedTraces = spans.flatMap((s) => s.links.map((l) => l.context.traceId));
    if (seen[0].length === 2) {
      const batch = spans.find((s) => s.links.length === 2)!;
      expect(batch).toBeDefined();
      expect(batch.links.map((l) => l.context.traceId).sort()).toEqual([traceOf(1), traceOf(2)]);
      expect(batch.links.map((l) => l.context.spanId).sort()).toEqual([spanOf(1), spanOf(2)]);
      expect([traceOf(1), traceOf(2)]).not.toContain(batch.spanContext().traceId);
    } else {
      expect(linkedTraces).toEqual([]);
    }
    const lone = spans.find((s) => s.spanContext().traceId === traceOf(3))!;
    expect(lone).toBeDefined();
    expect(lone.parentSpanContext?.spanId).toBe(spanOf(3));
    expect(lone.links).toEqual([]);
  });
});
