import type { ChildProcess } from 'node:child_process';

import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import pino from 'pino';

import { BusClient, ensureEventStream, MessagingTables1764000000000, OutboxRelay, prefixed } from '@app/messaging';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { createTestInfra, TEST_API_KEY } from '@app/testing';

import { alternate, http, natsRequester, report, requestLoop, type Comparison } from './lib/measure';
import { GATEWAY_BENCH_LIMITS, startPinned, stopAll } from './lib/processes';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 10;
const SERVER_CPU = '0';
/** The parts of this suite, all by default; `npm run bench -- foundation --only pipeline,transport` picks some. */
const PARTS = ['pipeline', 'hop', 'transport', 'outbox'] as const;

export async function foundationBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const children: ChildProcess[] = [];
  const results: Comparison[] = [];
  // the raw baseline as our transport runs nats.js: without async traces (libs/messaging/src/nats.ts)
  const nc = await connect({ servers: infra.natsUrl, noAsyncTraces: true });
  const wanted = new Set((process.env.BENCH_PARTS ?? PARTS.join(',')).split(','));
  const unknown = [...wanted].filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length)
    throw new Error(`foundation has no part ${unknown.join(', ')}: its parts are ${PARTS.join(', ')}`);
  try {
    const env = { ...infra.env, LOG_LEVEL: 'warn' };
    const hello = await startPinned('dist/bench/servers/fastify-hello.js', {}, SERVER_CPU, /^READY /);
    children.push(hello.child);
    const helloUrl = hello.line.replace('READY ', '').trim();
    const echoSubject = prefixed(infra.prefix, 'bench.echo');
    children.push(
      (await startPinned('dist/bench/servers/nats-echo.js', { ...env, SUBJECT: echoSubject }, SERVER_CPU, /^READY/))
        .child,
    );
    children.push(
      (
        await startPinned(
          'dist/apps/catalog/src/main.js',
          { ...env, LOG_LEVEL: 'info' },
          SERVER_CPU,
          /catalog service started/,
        )
      ).child,
    );
    const gw = await startPinned(
      'dist/apps/gateway/src/main.js',
      { ...env, ...GATEWAY_BENCH_LIMITS },
      SERVER_CPU,
      /gateway listening on/,
    );
    children.push(gw.child);
    const gatewayUrl = /on (http:\/\/\S+)/.exec(gw.line)![1];
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const helloRun = async () => (await http({ url: helloUrl, connections: CONNECTIONS, seconds: SECONDS })).rps;

    const raw = natsRequester(nc, echoSubject, JSON.stringify({ message: 'hello' }));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

    // 1. gateway pipeline: authenticated, validated no-op route / bare Fastify hello-world
    if (wanted.has('pipeline')) {
      const pipeline = await alternate(
        ROUNDS,
        helloRun,
        async () =>
          (
            await http({
              url: `${gatewayUrl}/api/platform/diagnostics/noop`,
              method: 'POST',
              headers: auth,
              body: JSON.stringify({ message: 'hello', count: 3 }),
              connections: CONNECTIONS,
              seconds: SECONDS,
            })
          ).rps,
      );
      results.push({
        name: 'gateway pipeline (auth + validation + problem+json filter), requests/s',
        metric: 'req/s',
        baseline: pipeline.baseline,
        subject: pipeline.subject,
        ratio: pipeline.subject / pipeline.baseline,
        aim: '>= 0.85',
        rounds: ROUNDS,
      });
      report(results.at(-1)!);
    }

    // 2. gateway -> NATS -> service -> reply / harmonic bound of bare Fastify and raw nats.js request-reply
    if (wanted.has('hop')) {
      const f: number[] = [];
      const n: number[] = [];
      const s: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        f.push(await helloRun());
        n.push((await requestLoop(raw, CONNECTIONS, SECONDS)).rps);
        s.push(
          (
            await http({
              url: `${gatewayUrl}/api/platform/diagnostics/echo`,
              method: 'POST',
              headers: auth,
              body: JSON.stringify({ service: 'catalog', message: 'hello' }),
              connections: CONNECTIONS,
              seconds: SECONDS,
            })
          ).rps,
        );
      }
      const bound = 1 / (1 / med(f) + 1 / med(n));
      results.push({
        name: `gateway -> NATS -> service -> reply (fastify ${med(f).toFixed(0)}/s, raw NATS ${med(n).toFixed(0)}/s)`,
        metric: 'req/s vs harmonic bound',
        baseline: bound,
        subject: med(s),
        ratio: med(s) / bound,
        aim: '>= 0.70',
        rounds: ROUNDS,
      });
      report(results.at(-1)!);
    }

    // 3. our NestJS NATS transport (BusClient -> NatsRpcServer) / raw nats.js request-reply: latency
    if (wanted.has('transport')) {
      const bus = new BusClient({ nc, prefix: infra.prefix, timeoutMs: 5000 });
      const p50: { b: number[]; s: number[] } = { b: [], s: [] };
      const p99: { b: number[]; s: number[] } = { b: [], s: [] };
      for (let i = 0; i < ROUNDS; i++) {
        const b = await requestLoop(raw, 4, SECONDS);
        const t = await requestLoop(
          () => bus.request('catalog.system.echo', { service: 'catalog', message: 'hello' }),
          4,
          SECONDS,
        );
        p50.b.push(b.p50Ms!);
        p50.s.push(t.p50Ms!);
        p99.b.push(b.p99Ms!);
        p99.s.push(t.p99Ms!);
      }
      results.push({
        name: 'NestJS NATS transport / raw nats.js request-reply, p50 latency (ms), 4 in flight',
        metric: 'p50 ms',
        baseline: med(p50.b),
        subject: med(p50.s),
        ratio: med(p50.s) / med(p50.b),
        aim: '<= 1.3',
        rounds: ROUNDS,
      });
      report(results.at(-1)!);
      results.push({
        name: 'NestJS NATS transport / raw nats.js request-reply, p99 latency (ms), 4 in flight',
        metric: 'p99 ms',
        baseline: med(p99.b),
        subject: med(p99.s),
        ratio: med(p99.s) / med(p99.b),
        aim: '<= 1.5',
        rounds: ROUNDS,
      });
      report(results.at(-1)!);
    }

    // 4. outbox relay: committed events published per second / raw windowed JetStream publishes
    if (wanted.has('outbox')) {
      results.push(await outboxBench(infra.databaseUrl, infra.prefix, nc));
      report(results.at(-1)!);
    }
  } finally {
    await stopAll(children);
    await nc.close();
    await infra.cleanup();
  }
  return results;
}

async function outboxBench(
  databaseUrl: string,
  prefix: string,
  nc: Awaited<ReturnType<typeof connect>>,
): Promise<Comparison> {
  const EVENTS = Number(process.env.BENCH_OUTBOX_EVENTS ?? 10000);
  const payload = {
    customer_id: '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11',
    amount: '150.00',
    currency: 'USD',
    note: 'bench',
  };
  await ensureEventStream(nc, prefix);
  const ds = createServiceDataSource({
    url: databaseUrl,
    schema: 'benchoutbox',
    entities: [],
    migrations: [MessagingTables1764000000000],
  });
  await initializeServiceDataSource(ds);
  const relay = new OutboxRelay({
    dataSource: ds,
    nc,
    schema: 'benchoutbox',
    prefix,
    logger: pino({ level: 'silent' }),
    batchSize: 500,
  });
  const js = jetstream(nc);
  const subject = prefixed(prefix, 'evt.system.probe.recorded');
  const body = JSON.stringify(payload);
  let seq = 0;
  try {
    const result = await alternate(
      ROUNDS,
      async () => {
        const started = process.hrtime.bigint();
        const window = 500;
        for (let i = 0; i < EVENTS; i += window) {
          const h = natsHeaders();
          h.set('x-request-id', 'bench');
          await Promise.all(
            Array.from({ length: Math.min(window, EVENTS - i) }, () =>
              js.publish(subject, body, { msgID: `raw-${seq++}`, headers: h }),
            ),
          );
        }
        return EVENTS / (Number(process.hrtime.bigint() - started) / 1e9);
      },
      async () => {
        await ds.query(
          `INSERT INTO outbox (id, subject, payload, headers)
        SELECT gen_random_uuid(), 'evt.system.probe.recorded', $1::jsonb, '{"x-request-id":"bench"}'::jsonb FROM generate_series(1, $2)`,
          [body, EVENTS],
        );
        const started = process.hrtime.bigint();
        while ((await relay.drainOnce()) > 0) {
          /* drain the backlog */
        }
        return EVENTS / (Number(process.hrtime.bigint() - started) / 1e9);
      },
    );
    return {
      name: `outbox relay, ${EVENTS} committed events -> JetStream`,
      metric: 'events/s',
      baseline: result.baseline,
      subject: result.subject,
      ratio: result.subject / result.baseline,
      aim: '>= 0.5',
      rounds: ROUNDS,
    };
  } finally {
    await ds.destroy();
  }
}

export const suite = { name: 'foundation', run: foundationBench };
