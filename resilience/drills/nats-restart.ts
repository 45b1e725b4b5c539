import { randomUUID } from 'node:crypto';

import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import { eventually } from '@app/testing';

import { onPlatform, type Drill } from '../lib/drill';
import {
  allLeadsDelivered,
  allReady,
  insertLeads,
  outboxCounts,
  publishMismatches,
  registerAffiliate,
  setDefaultThreshold,
  streamCounts,
} from '../lib/fixtures';
import { sleep } from '../lib/infra';
import { closedLoop, firstSuccess, metricSum, retryUntil2xx, Statuses } from '../lib/load';
import type { Platform } from '../lib/platform';
import { AffiliateReceiver } from '../lib/receiver';
import { RowBuilder, seconds } from '../lib/report';
import { secrets } from '../lib/secrets';

const WORKERS = 8;
const CUSTOMERS = 20_000;

/** An internal-format KYC approval (`POST /webhooks/kyc`), de-duplicated by event_id. */
export const kycApproval = (customerId: string) => ({
  customer_id: customerId,
  provider: 'manual',
  provider_id: `case-${customerId}`,
  status: 'approved',
  doc_type: 'passport',
  doc_country: 'GB',
  event_id: `evt-${customerId}`,
});

/** Activates SumSub (its fake on loopback) so that its secrets are in the catalog for the secret scan. */
export async function activateSumsub(p: Platform): Promise<SumsubFake> {
  const creds = {
    appToken: `sbx:${randomUUID()}`,
    secretKey: `sumsub-secret-${randomUUID()}`,
    webhookSecret: `sumsub-webhook-${randomUUID()}`,
  };
  secrets.add('SumSub app token', creds.appToken);
  secrets.add('SumSub secret key', creds.secretKey);
  secrets.add('SumSub webhook secret', creds.webhookSecret);
  const fake = await new SumsubFake(creds).start();
  const res = await p.api('POST', '/api/platform/integrations/providers/sumsub/activate', {
    credentials: { app_token: creds.appToken, secret_key: creds.secretKey, webhook_secret: creds.webhookSecret },
    settings: { base_url: fake.baseUrl },
  });
  if (res.status !== 200) throw new Error(`activating sumsub answered ${res.status}: ${res.text.slice(0, 200)}`);
  return fake;
}

/**
 * nats-server SIGKILLed under KYC webhook load and started again on its port and store: every process
 * reconnects, every outbox row (kyc's status changes, catalog's provider changes) is in the stream once,
 * and every approval reaches affiliates (lead.kyc_approved) and the affiliate's endpoint exactly once.
 */
export const natsRestart: Drill = {
  id: '2',
  name: 'NATS killed and restarted',
  run: async () => {
    const rb = new RowBuilder('2', 'NATS killed and restarted (SIGKILL, same port and store)');
    const receiver = await new AffiliateReceiver().start();
    try {
      return await onPlatform(
        rb,
        {
          name: 'nats-restart',
          services: { catalog: 1, kyc: 1, affiliates: 1 },
          env: {
            AFFILIATE_ALLOWED_HOSTS: receiver.host,
            AFFILIATE_ALLOW_HTTP: 'true',
            AFFILIATE_BATCH_INTERVAL_MS: '200',
          },
        },
        async (p) => {
          const sumsub = await activateSumsub(p);
          await registerAffiliate(p, 'aff-nats', `${receiver.url}/hook`);
          await setDefaultThreshold(p);
          const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
          await insertLeads(p, 'aff-nats', customers);

          const statuses = new Statuses();
          const answered = new Set<string>();
          let next = 0;
          let running = true;
          const work = async () => {
            const c = customers[next++];
            const a = await retryUntil2xx(statuses, 30_000, () => p.api('POST', '/webhooks/kyc', kycApproval(c)));
            if (a?.status === 200) answered.add(c);
          };
          const load = closedLoop(WORKERS, () => running && next < customers.length, work);
          await sleep(4000);
          const beforeKill = answered.size;
          const killedAt = Date.now();
          await p.nats.kill();
          await sleep(3000);
          await p.nats.start();
          const restartedAt = Date.now();
          // the clients still wait on requests lost with the server: fresh ones (2 s client timeout) time the recovery
          const readyWait = eventually('every process ready again', async () => (await allReady(p)) && Date.now(), {
            timeoutMs: 60_000,
            everyMs: 100,
          });
          const firstAfterRestart = await firstSuccess(statuses, 60_000, () => {
            const c = customers[next++];
            return p.probe('POST', '/webhooks/kyc', kycApproval(c)).then((a) => {
              if (a.status === 200) answered.add(c);
              return a;
            });
          });
          const ready = await readyWait;
          await closedLoop(WORKERS, () => Date.now() < firstAfterRestart + 5000 && next < customers.length, work);
          running = false;
          await load;

          const approvedLeads = async () =>
            Number(
              (
                await p.sql<{ n: string }>(
                  `SELECT count(DISTINCT customer_id) AS n FROM affiliates.lead_events WHERE event = 'lead.kyc_approved'`,
                )
              )[0].n,
            );
          await eventually('every approval at affiliates', async () => (await approvedLeads()) >= answered.size, {
            timeoutMs: 90_000,
            everyMs: 250,
          }).catch((err: Error) => rb.note(err.message));
          await eventually(
            'the outbox drained',
            async () => (await outboxCounts(p, ['catalog', 'kyc', 'affiliates'])).unpublished === 0,
            { timeoutMs: 60_000, everyMs: 250 },
          ).catch((err: Error) => rb.note(err.message));
          await eventually('every lead delivered', async () => allLeadsDelivered(p), {
            timeoutMs: 90_000,
            everyMs: 250,
          }).catch((err: Error) => rb.note(err.message));
          const settledAt = Date.now();

          const approved = new Set(
            (
              await p.sql<{ id: string }>(
                `SELECT customer_id::text AS id FROM kyc.kyc_records WHERE status = 'approved'`,
              )
            ).map((r) => r.id),
          );
          const leadEvents = await p.sql<{ customer_id: string; n: string }>(
            `SELECT customer_id, count(*) AS n FROM affiliates.lead_events WHERE event = 'lead.kyc_approved' GROUP BY customer_id`,
          );
          const withLead = new Map(leadEvents.map((r) => [r.customer_id, Number(r.n)]));
          const lostWebhooks = [...answered].filter((c) => !approved.has(c)).length;
          const lostEvents = [...approved].filter((c) => !withLead.has(c)).length;
          const lostDeliveries = [...withLead.keys()].filter(
            (c) => !receiver.has('/hook', 'lead.kyc_approved', `L-${c}`),
          ).length;
          const dupEvents = [...withLead.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0);
          const outbox = await outboxCounts(p, ['catalog', 'kyc', 'affiliates']);
          const stream = await streamCounts(p);
          const mismatches = publishMismatches(outbox.bySubject, stream);
          const pages = await p.metricsPages();
          const redelivered = pages.reduce(
            (s, pg) => s + metricSum(pg.text, 'consumer_messages_total', 'outcome="duplicate"'),
            0,
          );

          rb.set({
            load: `${WORKERS} clients, ${statuses.total} internal-format KYC webhooks (${answered.size} customers)`,
            fault: `SIGKILL nats-server after ${beforeKill} approvals; restarted 3 s later`,
            answered2xx: answered.size,
            effects: `${approved.size} approvals, ${withLead.size} lead events, ${Object.values(stream).reduce((s, n) => s + n, 0)} stream messages`,
            lost: lostWebhooks + lostEvents + lostDeliveries,
            duplicated: dupEvents + receiver.duplicatedItems,
            recoveredIn: `${seconds(ready - restartedAt)} all ready, first 2xx ${seconds(firstAfterRestart - restartedAt)} after the restart (${seconds(firstAfterRestart - killedAt)} after the kill)`,
            shed: statuses.of503,
          });
          rb.note(`answers: ${statuses.toString()}; slowest ${seconds(statuses.slowestMs)}`);
          if (statuses.count((k) => k === '504'))
            rb.note(
              "requests in flight when the server died waited out the gateway's NATS request deadline (10 s) and got 504",
            );
          rb.note(`outbox rows per subject ${JSON.stringify(outbox.bySubject)}; stream ${JSON.stringify(stream)}`);
          rb.note(
            `redeliveries dropped by the processed-message ledger: ${redelivered}; batches re-sent with the same webhook-id: ${receiver.resentBatches}; settled ${seconds(settledAt - ready)} after all were ready`,
          );
          rb.check(lostWebhooks === 0, `${lostWebhooks} approvals answered 200 are not in kyc_records`);
          rb.check(lostEvents === 0, `${lostEvents} approvals never reached affiliates`);
          rb.check(lostDeliveries === 0, `${lostDeliveries} lead events never reached the affiliate's endpoint`);
          rb.check(dupEvents === 0, `${dupEvents} approvals handled twice by affiliates`);
          rb.check(
            receiver.duplicatedItems === 0,
            `${receiver.duplicatedItems} leads delivered in two different batches`,
          );
          rb.check(outbox.unpublished === 0, `${outbox.unpublished} outbox rows never published`);
          rb.check(mismatches.length === 0, `outbox rows not published exactly once: ${mismatches.join('; ')}`);
          rb.check(statuses.of500 === 0, `${statuses.of500} answers were 500`);
          rb.check(
            ready - restartedAt <= 30_000,
            `processes ready ${seconds(ready - restartedAt)} after the restart (limit 30 s)`,
          );
          await sumsub.stop();
        },
      );
    } finally {
      await receiver.stop();
    }
  },
};
