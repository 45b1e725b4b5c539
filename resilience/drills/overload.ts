import { randomUUID } from 'node:crypto';

import { onPlatform, type Drill } from '../lib/drill';
import { positiveInt } from '../lib/env';
import { sleep } from '../lib/infra';
import { attempt, closedLoop, metricValue, openLoop, Statuses, throughput } from '../lib/load';
import { httpCall } from '../lib/platform';
import { RowBuilder, seconds } from '../lib/report';
import { kycApproval } from './nats-restart';

const SECONDS = positiveInt('RESILIENCE_OVERLOAD_SECONDS', 60);
const FIXED_RATE = positiveInt('RESILIENCE_WEBHOOK_RATE', 0);
const MAX_IN_FLIGHT = positiveInt('RESILIENCE_GATEWAY_MAX_IN_FLIGHT', 256);
const MAX_LOOP_DELAY_MS = positiveInt('RESILIENCE_GATEWAY_MAX_EVENT_LOOP_DELAY_MS', 200);
/** The load generator never holds more than this many requests open (the rest are counted, not sent). */
const CLIENT_CAP = 2000;

/**
 * Twice the sustainable KYC webhook rate (measured first, closed loop, 16 in flight; or
 * RESILIENCE_WEBHOOK_RATE) for 60 s, open loop. The excess may be shed (503 with Retry-After, by the
 * gateway's GATEWAY_MAX_IN_FLIGHT / GATEWAY_MAX_EVENT_LOOP_DELAY_MS); never a 500, every 2xx applied,
 * and the gateway's memory back near where it was after the burst.
 */
export const overload: Drill = {
  id: '7',
  name: 'twice the sustainable webhook rate',
  run: () => {
    const rb = new RowBuilder('7', `twice the sustainable webhook rate for ${SECONDS} s`);
    return onPlatform(
      rb,
      {
        name: 'overload',
        services: { kyc: 1 },
        gatewayEnv: {
          GATEWAY_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
          GATEWAY_MAX_EVENT_LOOP_DELAY_MS: String(MAX_LOOP_DELAY_MS),
        },
      },
      async (p) => {
        const statuses = new Statuses();
        const answered = new Set<string>();
        let missingRetryAfter = 0;
        const post = async (into = statuses) => {
          const c = randomUUID();
          const a = await attempt(into, () => p.api('POST', '/webhooks/kyc', kycApproval(c)));
          if (a && a.status >= 200 && a.status < 300) answered.add(c);
          if (a?.status === 503 && !a.headers['retry-after']) missingRetryAfter++;
          return !!a && a.status >= 200 && a.status < 300;
        };
        const warmEnd = Date.now() + 2000;
        await closedLoop(
          16,
          () => Date.now() < warmEnd,
          async () => {
            await post();
          },
        );
        const sustainable = await throughput(16, 5000, () => post());
        const rate = FIXED_RATE || Math.max(20, Math.round(2 * sustainable));
        await sleep(2000);
        const gw = p.proc('gateway');
        const rssBefore = gw.sample() ?? 0;
        const burstStatuses = new Statuses();

        let loopP99 = 0;
        let scraping = true;
        const scraper = (async () => {
          while (scraping) {
            const res = await httpCall(p.agent, `${p.gatewayUrl}/metrics`, 'GET', {}, undefined, 5000).catch(
              () => null,
            );
            const v = res ? metricValue(res.text, 'nodejs_eventloop_lag_p99_seconds') : null;
            if (v !== null) loopP99 = Math.max(loopP99, v);
            await sleep(2000);
          }
        })();
        const burst = await openLoop(rate, SECONDS * 1000, CLIENT_CAP, async () => {
          await post(burstStatuses);
        });
        scraping = false;
        await scraper;
        const rssPeak = gw.peakRssMb;

        // memory after the burst: the best of 30 s of readings (the heap shrinks once the load is gone)
        let rssAfter = Infinity;
        const settleEnd = Date.now() + 30_000;
        while (Date.now() < settleEnd) {
          rssAfter = Math.min(rssAfter, gw.sample() ?? Infinity);
          if (rssAfter <= rssBefore * 1.2) break;
          await sleep(2000);
        }

        const stored = new Set(
          (
            await p.sql<{ id: string }>(
              `SELECT customer_id::text AS id FROM kyc.kyc_records WHERE status = 'approved' AND customer_id = ANY($1::uuid[])`,
              [[...answered]],
            )
          ).map((r) => r.id),
        );
        const lost = [...answered].filter((c) => !stored.has(c)).length;
        const shed = burstStatuses.of503;
        const ratio = rssAfter / rssBefore;
        rb.set({
          load: `sustainable ${Math.round(sustainable)}/s measured; ${rate}/s offered for ${SECONDS} s (${burst.issued} sent, ${burst.skipped} held back at ${CLIENT_CAP} open)`,
          fault: `overload (GATEWAY_MAX_IN_FLIGHT=${MAX_IN_FLIGHT}, GATEWAY_MAX_EVENT_LOOP_DELAY_MS=${MAX_LOOP_DELAY_MS})`,
          answered2xx: answered.size,
          effects: `${stored.size} applied`,
          lost,
          duplicated: 0,
          recoveredIn: `gateway RSS ${Math.round(rssBefore)} MB before, ${Math.round(rssPeak)} peak, ${Math.round(rssAfter)} after (${Math.round((ratio - 1) * 100)}%)`,
          shed,
        });
        rb.note(
          `burst answers: ${burstStatuses.toString()}; latency p50 ${seconds(burstStatuses.percentile(50))}, p99 ${seconds(burstStatuses.percentile(99))}, slowest ${seconds(burstStatuses.slowestMs)}; 503 without Retry-After: ${missingRetryAfter}`,
        );
        rb.note(
          `gateway event-loop lag p99 (nodejs_eventloop_lag_p99_seconds, max of scrapes every 2 s): ${(loopP99 * 1000).toFixed(1)} ms`,
        );
        if (shed === 0)
          rb.note(
            "no 503 was seen: without the gateway's load shedding the excess queues (latency) instead of being refused",
          );
        rb.check(lost === 0, `${lost} webhooks answered 2xx are not applied`);
        rb.check(
          statuses.of500 + burstStatuses.of500 === 0,
          `${statuses.of500 + burstStatuses.of500} answers were 500`,
        );
        rb.check(
          ratio <= 3,
          `gateway RSS ${Math.round(rssAfter)} MB after the burst, ${ratio.toFixed(2)}x the ${Math.round(rssBefore)} MB before (limit 3x)`,
        );
      },
    );
  },
};
