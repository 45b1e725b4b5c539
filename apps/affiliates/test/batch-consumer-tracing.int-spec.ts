import { jetstream } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import type { DataSource } from 'typeorm';

import { eventSubjects } from '@app/contracts';
import {
  ConsumerRegistry,
  DeadLetterTable1765000000000,
  ensureEventStream,
  MessagingTables1764000000000,
} from '@app/messaging';
import { shutdownTracing, startTracing } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import { BatchDurableConsumer } from '../src/intake/batch-consumer';

const SUBJECT = eventSubjects.systemProbeRecorded;
const logger = pino({ level: 'silent' });
const traceOf = (n: number) => `${n}`.repeat(32).slice(0, 32);
const spanOf = (n: number) => `${n}`.repeat(16).slice(0, 16);

/** The affiliates intake's event hop is traced like every other consumer's (OTEL on, real NATS and Postgres). */
describe('batch durable consumer spans', () => {
  const exporter = new InMemorySpanExporter();
  let infra: TestInfra;
  let ds: DataSource;
  let nc: NatsConnection;

  beforeAll(async () => {
    startTracing({
      serviceName: 'affiliates',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      spanProcessor: new SimpleSpanProcessor(exporter),
    });
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    await ensureEventStream(nc, infra.prefix);
    ds = createServiceDataSource({
      url: infra.databaseUrl,
      schema: 'batchtrace',
      entities: [],
      migrations: [MessagingTables1764000000000, DeadLetterTable1765000000000],
    });
    await initializeServiceDataSource(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await nc?.close();
    await infra?.cleanup();
    await shutdownTracing();
  });

  const publish = async (n: number) => {
    const h = headers();
    h.set('traceparent', `00-${traceOf(n)}-${spanOf(n)}-01`);
    await jetstream(nc).publish(`${infra.prefix}.${SUBJECT}`, JSON.stringify({ n }), { msgID: `m-${n}`, headers: h });
  };

  it('a batch of several is one consumer span linked to each trace; a batch of one continues its trace', async () => {
    // published before the consumer starts: they arrive as one batch
    await publish(1);
    await publish(2);
    const seen: number[][] = [];
    const consumer = new BatchDurableConsumer<{ n: number }>({
      nc,
      dataSource: ds,
      prefix: infra.prefix,
      durable: 'affiliates-trace',
      filterSubject: SUBJECT,
      logger,
      registry: new ConsumerRegistry(),
      maxBatch: 100,
      handler: async (events) => {
        seen.push(events.map((e) => e.data.n));
      },
    });
    await consumer.start();
    await eventually('the first batch', () => seen.flat().length === 2);
    await publish(3);
    await eventually('the lone message', () => seen.flat().length === 3);
    await consumer.stop();

    const spans = exporter.getFinishedSpans().filter((s) => s.name === `${SUBJECT} process`);
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
