import type { ChildProcess } from 'node:child_process';

import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Agent, request } from 'undici';

import { ensureEventStream, prefixed } from '@app/messaging';
import { createTestInfra, eventually, TEST_VAULT_KEYS } from '@app/testing';
import { KeyRing, Vault } from '@app/vault';

import { alternate, median, report, type Comparison } from './lib/measure';
import { startPinned, stopAll } from './lib/processes';
import { reportVolume, seedIfAsked } from './lib/volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const EVENTS = Number(process.env.BENCH_AFFILIATE_EVENTS ?? 20000);
const AFFILIATES = 20;
const BATCH = 100;
const CONCURRENCY = AFFILIATES; // one lane per affiliate
const SERVER_CPU = '0';

interface ReceiverStats {
  posts: number;
  leads: number;
  first: number;
  last: number;
}

export async function affiliatesBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const children: ChildProcess[] = [];
  const results: Comparison[] = [];
  const nc = await connect({ servers: infra.natsUrl });
  const db = new Client({ connectionString: infra.databaseUrl });
  try {
    const rx = await startPinned('dist/bench/servers/affiliate-receiver.js', {}, SERVER_CPU, /^READY /);
    children.push(rx.child);
    const rxUrl = rx.line.replace('READY ', '').trim();
    const env = {
      ...infra.env,
      LOG_LEVEL: 'warn',
      AFFILIATE_BATCH_INTERVAL_MS: '100',
      AFFILIATE_ALLOWED_HOSTS: new URL(rxUrl).host,
      AFFILIATE_ALLOW_HTTP: 'true',
      HTTP_PORT: '0',
    };
    await ensureEventStream(nc, infra.prefix);
    children.push(
      (
        await startPinned(
          'dist/apps/affiliates/src/main.js',
          { ...env, LOG_LEVEL: 'info' },
          SERVER_CPU,
          /affiliates service started/,
        )
      ).child,
    );
    await db.connect();
    await setUp(db, `${rxUrl}/hook`);
    const volume = await seedIfAsked(infra.databaseUrl);
    results.push(await deliveryBench(db, rxUrl));
    report(results.at(-1)!);
    results.push(await endToEndBench(db, nc, infra.prefix, rxUrl));
    report(results.at(-1)!);
    await reportVolume(volume);
  } finally {
    await stopAll(children);
    await db.end().catch(() => undefined);
    await nc.close();
    await infra.cleanup();
  }
  return results;
}

async function setUp(db: Client, url: string): Promise<void> {
  const vault = new Vault(KeyRing.fromEnv(TEST_VAULT_KEYS));
  for (let i = 0; i < AFFILIATES; i++) {
    const id = `bench-${i}`;
    await db.query(
      `INSERT INTO affiliates.affiliates (id, name, webhook_url, secret_sealed, secret_hint, max_batch_size) VALUES ($1, $1, $2, $3, '****', $4)`,
      [id, url, vault.encrypt(`bench-secret-${i}-0123456789`, { recordId: id, field: 'secret' }), BATCH],
    );
  }
  await db.query(`INSERT INTO affiliates.ftd_thresholds (country, min_amount, currency) VALUES ('default', 0, 'USD')`);
}

const receiverStats = async (url: string) => (await (await request(`${url}/stats`)).body.json()) as ReceiverStats;
/** A drain is timed, so the wait polls often. */
const DRAIN = { timeoutMs: 120_000, everyMs: 20 };
const resetReceiver = async (url: string) => {
  await (await request(`${url}/reset`, { method: 'POST' })).body.dump();
};

/** Signed batch deliveries/s draining a backlog / plain undici POSTs/s of the same bodies, same concurrency. */
async function deliveryBench(db: Client, rxUrl: string): Promise<Comparison> {
  const batches = EVENTS / BATCH;
  const at = new Date().toISOString();
  const bodies = Array.from({ length: batches }, (_, b) =>
    JSON.stringify({
      event: 'lead.ftd',
      batch_at: at.replace(/\.\d+Z$/, 'Z'),
      leads: Array.from({ length: BATCH }, (_, i) => ({
        affiliate_lead_id: `L${b * BATCH + i}`,
        amount: 150,
        currency: 'USD',
        ftd_at: at,
      })),
    }),
  );
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  let round = 0;
  const rate = (s: ReceiverStats) => (s.posts - 1) / ((s.last - s.first) / 1000);
  const result = await alternate(
    ROUNDS,
    async () => {
      await resetReceiver(rxUrl);
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const res = await request(`${rxUrl}/hook`, {
              method: 'POST',
              body,
              dispatcher: agent,
              headers: { 'content-type': 'application/json' },
            });
            await res.body.dump();
          }
        }),
      );
      return rate(await receiverStats(rxUrl));
    },
    async () => {
      await resetReceiver(rxUrl);
      const r = round++;
      await db.query(
        `INSERT INTO affiliates.lead_events (affiliate_id, customer_id, event, item, status)
       SELECT 'bench-' || (g % ${AFFILIATES}), 'd${r}-' || g, 'lead.ftd',
         json_build_object('affiliate_lead_id', 'L' || g, 'amount', 150, 'currency', 'USD', 'ftd_at', now()), 'pending'
       FROM generate_series(1, $1) g`,
        [EVENTS],
      );
      await eventually('the backlog to drain', async () => (await receiverStats(rxUrl)).posts >= batches, DRAIN);
      return rate(await receiverStats(rxUrl));
    },
  );
  await agent.close();
  return {
    name: `affiliate delivery: ${EVENTS} pending events / ${AFFILIATES} affiliates -> signed batches of ${BATCH} (vs plain undici POSTs, ${CONCURRENCY} in flight)`,
    metric: 'batches/s',
    baseline: result.baseline,
    subject: result.subject,
    ratio: result.subject / result.baseline,
    aim: '>= 0.6',
    rounds: ROUNDS,
  };
}

/** Deposit events published on the bus -> FTD leads received by the affiliates' endpoints, events/s. */
async function endToEndBench(db: Client, nc: NatsConnection, prefix: string, rxUrl: string): Promise<Comparison> {
  const js = jetstream(nc);
  const subject = prefixed(prefix, 'evt.payments.deposit.approved');
  const rounds = Math.max(3, Math.ceil(ROUNDS / 2));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await db.query(
      `INSERT INTO affiliates.leads (customer_id, affiliate_id, affiliate_lead_id, country)
       SELECT 'e${r}-' || g, 'bench-' || (g % ${AFFILIATES}), 'E${r}-' || g, 'DE' FROM generate_series(1, $1) g`,
      [EVENTS],
    );
    await resetReceiver(rxUrl);
    const started = performance.timeOrigin + performance.now();
    for (let i = 0; i < EVENTS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) => {
          const g = i + k + 1;
          return js.publish(
            subject,
            JSON.stringify({
              customer_id: `e${r}-${g}`,
              country: 'DE',
              amount: '150.00',
              currency: 'USD',
              gateway: 'praxis',
              provider_transaction_id: `tx-${r}-${g}`,
              approved_at: new Date().toISOString(),
            }),
            { msgID: `bench-${r}-${g}` },
          );
        }),
      );
    }
    await eventually('the backlog to drain', async () => (await receiverStats(rxUrl)).leads >= EVENTS, DRAIN);
    const s = await receiverStats(rxUrl);
    rates.push(EVENTS / ((s.last - started) / 1000));
  }
  const subject5k = median(rates);
  return {
    name: `affiliates end to end: ${EVENTS} deposit events on the bus -> FTD batches received (baseline = the 5,000 events/s aim)`,
    metric: 'events/s',
    baseline: 5000,
    subject: subject5k,
    ratio: subject5k / 5000,
    aim: '>= 1.0',
    rounds,
  };
}

export const suite = { name: 'affiliates', run: affiliatesBench };
