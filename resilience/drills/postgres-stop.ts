import { randomUUID } from 'node:crypto';

import { onPlatform, type Drill } from '../lib/drill';
import { sleep } from '../lib/infra';
import { closedLoop, firstSuccess, retryUntil2xx, Statuses } from '../lib/load';
import { RowBuilder, seconds } from '../lib/report';
import { kycApproval } from './nats-restart';

const WORKERS = 8;
const OUTAGE_MS = 4000;

/**
 * The drill's Postgres stopped (pg_ctl stop -m fast: connections cut) under KYC webhook load and started
 * again. Every 2xx answered must be in the database afterwards; during the outage the answers are 503
 * (service unavailable), never 500.
 */
export const postgresStop: Drill = {
  id: '3',
  name: 'Postgres stopped under webhook load',
  run: () => {
    const rb = new RowBuilder('3', 'Postgres stopped under webhook load (pg_ctl stop -m fast)');
    return onPlatform(rb, { name: 'postgres-stop', services: { kyc: 1 } }, async (p) => {
      const statuses = new Statuses();
      const answered = new Set<string>();
      const tried = new Set<string>();
      let running = true;
      const post = (c: string) => {
        tried.add(c);
        return p.api('POST', '/webhooks/kyc', kycApproval(c)).then((a) => {
          if (a.status === 200) answered.add(c);
          return a;
        });
      };
      const work = async () => {
        await retryUntil2xx(statuses, 30_000, () => post(randomUUID()));
      };
      const load = closedLoop(WORKERS, () => running, work);
      await sleep(4000);
      const beforeStop = answered.size;
      const outage = new Statuses();
      const stoppedAt = Date.now();
      await p.pg.stop('fast');
      // what a client sees while the database is down (the workers' retries count in `statuses` too)
      const probing = (async () => {
        while (Date.now() < stoppedAt + OUTAGE_MS) {
          const c = randomUUID();
          await retryUntil2xx(outage, 0, () => post(c));
          await sleep(100);
        }
      })();
      await sleep(OUTAGE_MS);
      await probing;
      await p.pg.start();
      const startedAt = Date.now();
      const firstAfter = await firstSuccess(statuses, 60_000, () => post(randomUUID()));
      await closedLoop(WORKERS, () => Date.now() < firstAfter + 5000, work);
      running = false;
      await load;

      const stored = new Set(
        (
          await p.sql<{ id: string }>(
            `SELECT r.customer_id::text AS id FROM kyc.kyc_records r JOIN kyc.kyc_events e ON e.customer_id = r.customer_id AND e.event_key = 'id:' || r.customer_id || ':evt-' || r.customer_id
         WHERE r.status = 'approved' AND r.customer_id = ANY($1::uuid[])`,
            [[...tried]],
          )
        ).map((r) => r.id),
      );
      const [{ n: events }] = await p.sql<{ n: string }>(`SELECT count(*) AS n FROM kyc.kyc_events`);
      const [{ d: dup }] = await p.sql<{ d: string }>(
        `SELECT count(*) - count(DISTINCT customer_id) AS d FROM kyc.kyc_events`,
      );
      const lost = [...answered].filter((c) => !stored.has(c)).length;
      const all = new Statuses();
      for (const s of [statuses, outage]) for (const [k, v] of s.counts) for (let i = 0; i < v; i++) all.add(k);
      rb.set({
        load: `${WORKERS} clients, ${tried.size} internal-format KYC webhooks (${all.total} requests)`,
        fault: `Postgres stopped after ${beforeStop} answers, for ${seconds(startedAt - stoppedAt)}`,
        answered2xx: answered.size,
        effects: `${events} KYC events stored`,
        lost,
        duplicated: Number(dup),
        recoveredIn: `${seconds(firstAfter - startedAt)} after Postgres was back`,
        shed: all.of503,
      });
      rb.note(
        `answers: ${statuses.toString()}; while Postgres was down (probes): ${outage.toString()}; slowest ${seconds(Math.max(statuses.slowestMs, outage.slowestMs))}`,
      );
      rb.note(
        `${stored.size - answered.size} webhooks stored whose answer was not a 2xx (the client retries them; event_id de-duplicates)`,
      );
      rb.check(lost === 0, `${lost} webhooks answered 2xx are not in the database`);
      rb.check(Number(dup) === 0, `${dup} webhooks stored twice`);
      rb.check(all.of500 === 0, `${all.of500} answers were 500`);
      rb.check(outage.of503 > 0, `no 503 while Postgres was down (${outage.toString()})`);
      rb.check(
        firstAfter - startedAt <= 30_000,
        `first 2xx ${seconds(firstAfter - startedAt)} after Postgres was back (limit 30 s)`,
      );
    });
  },
};
