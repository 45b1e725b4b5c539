import type { ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';

import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import { Pool } from 'pg';

import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import { BusClient } from '@app/messaging';
import { createTestInfra, TEST_API_KEY } from '@app/testing';

import { http, median, report, requestLoop, type Comparison } from './lib/measure';
import { GATEWAY_BENCH_LIMITS, startPinned, stopAll } from './lib/processes';
import { reportVolume, seedIfAsked } from './lib/volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 10;
const SERVER_CPU = '0';
/** The kyc service's pool (DB_POOL_SIZE's default); the baseline gets the same. */
const POOL_SIZE = 10;
const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';

/** A SumSub webhook as SumSub sends it, unique per call (correlationId), signed over its exact bytes. */
function signedWebhook(): { body: string; digest: string } {
  const body = JSON.stringify({
    applicantId: randomUUID().replace(/-/g, '').slice(0, 24),
    inspectionId: 'bench',
    correlationId: randomUUID(),
    externalUserId: randomUUID(),
    levelName: 'basic-kyc-level',
    type: 'applicantPending',
    sandboxMode: true,
    reviewStatus: 'pending',
    createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    applicantType: 'individual',
    clientId: 'bench',
  });
  return { body, digest: createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex') };
}

/**
 * Signed SumSub webhooks accepted per second through the gateway (verify, de-duplicate, persist,
 * outbox) against raw `pg` inserts per second of the same history row with the same pool size.
 * Between rounds the service's consumer is left to drain its backlog, so neither side of the next
 * round competes with the previous round's asynchronous processing.
 */
export async function kycBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const children: ChildProcess[] = [];
  const pool = new Pool({ connectionString: infra.databaseUrl, max: POOL_SIZE });
  try {
    const env = { ...infra.env, LOG_LEVEL: 'warn', DB_POOL_SIZE: String(POOL_SIZE) };
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
    children.push(
      (await startPinned('dist/apps/kyc/src/main.js', { ...env, LOG_LEVEL: 'info' }, SERVER_CPU, /kyc service started/))
        .child,
    );
    const gw = await startPinned(
      'dist/apps/gateway/src/main.js',
      { ...env, ...GATEWAY_BENCH_LIMITS },
      SERVER_CPU,
      /gateway listening on/,
    );
    children.push(gw.child);
    const gatewayUrl = /on (http:\/\/\S+)/.exec(gw.line)![1];
    const activated = await fetch(`${gatewayUrl}/api/platform/integrations/providers/sumsub/activate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      // no provider call is made on this path: the webhook is verified with the stored secret
      body: JSON.stringify({
        credentials: { app_token: 'sbx:bench', secret_key: 'bench-secret', webhook_secret: WEBHOOK_SECRET },
        settings: { base_url: 'http://127.0.0.1:9' },
      }),
    });
    if (activated.status !== 200) throw new Error(`activating sumsub: ${activated.status} ${await activated.text()}`);
    const volume = await seedIfAsked(infra.databaseUrl);

    const webhooks = async (seconds: number) => {
      const result = await autocannon({
        url: gatewayUrl,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            path: '/webhooks/kyc/sumsub',
            setupRequest: (req) => {
              const w = signedWebhook();
              return {
                ...req,
                body: w.body,
                headers: {
                  'content-type': 'application/json',
                  'x-payload-digest': w.digest,
                  'x-payload-digest-alg': 'HMAC_SHA256_HEX',
                },
              };
            },
          },
        ],
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`webhooks: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
      accepted += result['2xx'];
      await drained();
      return result.requests.average;
    };
    // every accepted webhook is one new event for the processor; waiting on its ledger (by primary key)
    // instead of scanning kyc_events keeps the load generator's own polling out of the volume suite's scans
    let accepted = 0;
    const drained = async () => {
      const end = Date.now() + 60_000;
      while (Date.now() < end) {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM kyc.processed_messages WHERE consumer = 'kyc-webhook-processor'`,
        );
        if (rows[0].n >= accepted) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const inserts = async () =>
      (
        await requestLoop(
          () => {
            const w = signedWebhook();
            const p = JSON.parse(w.body) as Record<string, string>;
            return pool.query(
              `INSERT INTO kyc.kyc_events (id, provider, event_key, source, event_type, provider_id, customer_ref, customer_id, status,
           provider_status, reject_labels, needs_details, occurred_at, payload)
         VALUES ($1, 'sumsub', $2, 'webhook', $3, $4, $5, NULL, 'pending', 'pending', '{}', false, $6, $7)
         ON CONFLICT (provider, event_key) DO NOTHING`,
              [randomUUID(), `bench:${p.correlationId}`, p.type, p.applicantId, p.externalUserId, new Date(), w.body],
            );
          },
          CONNECTIONS,
          SECONDS,
        )
      ).rps;

    // context: the same gateway -> NATS -> kyc hop with an empty handler, the ceiling of any webhook path
    const echo = async () =>
      (
        await http({
          url: `${gatewayUrl}/api/platform/diagnostics/echo`,
          method: 'POST',
          connections: CONNECTIONS,
          seconds: SECONDS,
          headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service: 'kyc', message: 'hello' }),
        })
      ).rps;

    await webhooks(1); // warm-up: provider config cached, JIT, pools filled
    const runs = { inserts: [] as number[], webhooks: [] as number[], echo: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      runs.inserts.push(await inserts());
      runs.webhooks.push(await webhooks(SECONDS));
      runs.echo.push(await echo());
    }
    const [b, s, e] = [median(runs.inserts), median(runs.webhooks), median(runs.echo)];
    const results: Comparison[] = [
      {
        name: 'signed SumSub webhooks accepted through the gateway (verify, de-duplicate, persist, outbox) / raw pg inserts of the history row, same pool size',
        metric: 'per second',
        baseline: b,
        subject: s,
        ratio: s / b,
        aim: '>= 0.70',
        rounds: ROUNDS,
      },
      {
        name: 'context: the same webhooks / gateway -> NATS -> kyc echo (the hop with an empty handler)',
        metric: 'per second',
        baseline: e,
        subject: s,
        ratio: s / e,
        aim: '(context)',
        rounds: ROUNDS,
      },
    ];
    results.forEach(report);
    await reportVolume(volume);
    return results;
  } finally {
    await pool.end();
    await stopAll(children);
    await infra.cleanup();
  }
}

const DRAIN_EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 600);
/** SumSub's applicant fetch takes this long at the fake (a fast real one is slower). */
const FETCH_LATENCY_MS = 20;

/**
 * Applied webhook events per second draining a backlog (the relay publishes, the durable consumer
 * fetches the applicant, then applies), with KYC_CONSUMER_CONCURRENCY=1 (events one after another) as
 * the baseline against the default 8, distinct customers, alternating. The backlog
 * is written straight to the history and outbox tables while the kyc service is down, so only the
 * draining is timed, from the service's start line to the last event processed.
 */
export async function kycDrainBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const fake = await new SumsubFake({
    appToken: 'sbx:bench',
    secretKey: 'bench-secret',
    webhookSecret: WEBHOOK_SECRET,
  }).start();
  fake.slowDown(FETCH_LATENCY_MS);
  const children: ChildProcess[] = [];
  const pool = new Pool({ connectionString: infra.databaseUrl, max: 4 });
  try {
    const env = { ...infra.env, LOG_LEVEL: 'info', DB_POOL_SIZE: String(POOL_SIZE) };
    children.push(
      (await startPinned('dist/apps/catalog/src/main.js', env, SERVER_CPU, /catalog service started/)).child,
    );
    const drain = async (concurrency: number): Promise<number> => {
      const started = await startPinned(
        'dist/apps/kyc/src/main.js',
        { ...env, KYC_CONSUMER_CONCURRENCY: String(concurrency) },
        SERVER_CPU,
        /kyc service started/,
      );
      const t0 = Date.now();
      try {
        for (;;) {
          const { rows } = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM kyc.kyc_events WHERE processed_at IS NULL`,
          );
          if (rows[0].n === 0) return DRAIN_EVENTS / ((Date.now() - t0) / 1000);
          if (Date.now() - t0 > 300_000) throw new Error(`backlog not drained in 300 s at concurrency ${concurrency}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await stopAll([started.child]);
      }
    };
    const backlog = async () => {
      await pool.query(
        `INSERT INTO kyc.kyc_events (id, provider, event_key, source, event_type, provider_id, customer_ref, customer_id, status,
          provider_status, reject_labels, needs_details, occurred_at, payload)
        SELECT e.id, 'sumsub', 'bench:' || e.id, 'webhook', 'applicantReviewed', e.app, e.customer::text, e.customer, 'approved', 'completed',
          '{}', true, now(), '{}'::jsonb
        FROM (SELECT gen_random_uuid() AS id, gen_random_uuid() AS customer, md5(random()::text) AS app FROM generate_series(1, $1)) e`,
        [DRAIN_EVENTS],
      );
      await pool.query(`INSERT INTO kyc.outbox (id, subject, payload)
        SELECT gen_random_uuid(), 'evt.kyc.webhook.recorded',
          jsonb_build_object('event_id', id, 'provider', 'sumsub', 'customer_id', customer_id, 'provider_id', provider_id)
        FROM kyc.kyc_events WHERE processed_at IS NULL`);
    };
    // the schema is created by a first start; the provider points at the fake
    await drain(1);
    const nc = await connect({ servers: infra.natsUrl });
    try {
      const bus = new BusClient({ nc, prefix: infra.prefix, timeoutMs: 10000 });
      await bus.request('catalog.providers.activate', {
        key: 'sumsub',
        credentials: { app_token: 'sbx:bench', secret_key: 'bench-secret', webhook_secret: WEBHOOK_SECRET },
        settings: { base_url: fake.baseUrl },
      });
    } finally {
      await nc.close();
    }
    const runs = { serial: [] as number[], concurrent: [] as number[] };
    for (let i = 0; i < DRAIN_ROUNDS; i++) {
      await backlog();
      runs.serial.push(await drain(1));
      await backlog();
      runs.concurrent.push(await drain(8));
    }
    const [b, s] = [median(runs.serial), median(runs.concurrent)];
    const result: Comparison = {
      name: `kyc webhook backlog drained, applied events/s (applicant fetch ${FETCH_LATENCY_MS} ms at the fake): KYC_CONSUMER_CONCURRENCY 8 / 1`,
      metric: 'per second',
      baseline: b,
      subject: s,
      ratio: s / b,
      aim: '>= 3',
      rounds: DRAIN_ROUNDS,
    };
    report(result);
    return [result];
  } finally {
    await pool.end();
    await stopAll(children);
    await fake.stop();
    await infra.cleanup();
  }
}
const DRAIN_ROUNDS = Number(process.env.BENCH_DRAIN_ROUNDS ?? 2);

export const suite = { name: 'kyc', run: async () => [...(await kycBench()), ...(await kycDrainBench())] };
