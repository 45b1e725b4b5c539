import { randomUUID } from 'node:crypto';

import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { eventually } from '@app/testing';

import { onPlatform, type Drill } from '../lib/drill';
import { insertLeads, publishDeposits, registerAffiliate, setDefaultThreshold } from '../lib/fixtures';
import { sleep } from '../lib/infra';
import { attempt, closedLoop, metricSum, Statuses } from '../lib/load';
import { httpCall, type Platform } from '../lib/platform';
import { AffiliateReceiver } from '../lib/receiver';
import { RowBuilder, seconds } from '../lib/report';
import { secrets } from '../lib/secrets';

const AFFILIATES = 10;
const LEADS_PER_AFFILIATE = 200;
const SENDERS = 4;

/** Sends handled so far by each comms replica, from its own /metrics. */
async function sendsByReplica(p: Platform): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const label of ['comms', 'comms#2']) {
    const res = await httpCall(p.agent, `${p.serviceUrls.get(label)}/metrics`, 'GET', {});
    out[label] = metricSum(res.text, 'nats_handler_duration_seconds_count', 'subject="comms.email.send"');
  }
  return out;
}

/**
 * Two replicas each of comms and affiliates. Affiliates: leads of ten affiliates, their registrations
 * through the API and their deposits from the bus; every batch is sent once (no webhook-id twice, no lead
 * in two batches), whichever replica owns the lane. Comms: the email default swapped (SendGrid to Gmail
 * and back) while sends flow; the lag is the latest send started after the swap answered by the old
 * provider, and both replicas must have served sends after each swap.
 */
export const replicas: Drill = {
  id: '6',
  name: 'two replicas of comms and affiliates',
  run: async () => {
    const rb = new RowBuilder('6', 'two replicas of comms and affiliates');
    const receiver = await new AffiliateReceiver().start();
    try {
      return await onPlatform(
        rb,
        {
          name: 'replicas',
          services: { catalog: 1, comms: 2, affiliates: 2 },
          env: {
            AFFILIATE_ALLOWED_HOSTS: receiver.host,
            AFFILIATE_ALLOW_HTTP: 'true',
            AFFILIATE_BATCH_INTERVAL_MS: '200',
          },
        },
        async (p) => {
          const sgKey = `SG.rs-${randomUUID()}`;
          const gmailCreds = {
            clientId: `client-${randomUUID()}.apps.googleusercontent.com`,
            clientSecret: `gmail-secret-${randomUUID()}`,
            refreshToken: `1//refresh-${randomUUID()}`,
            senderEmail: 'crm@broker.example',
          };
          secrets.add('SendGrid API key', sgKey);
          secrets.add('Gmail client secret', gmailCreds.clientSecret);
          secrets.add('Gmail refresh token', gmailCreds.refreshToken);
          const sendgrid = await new SendgridFake({ apiKey: sgKey }).start();
          const gmail = await new GmailFake(gmailCreds).start();
          try {
            for (const [key, body] of [
              ['sendgrid', { credentials: { api_key: sgKey }, settings: { base_url: sendgrid.baseUrl } }],
              [
                'gmail',
                {
                  credentials: {
                    client_id: gmailCreds.clientId,
                    client_secret: gmailCreds.clientSecret,
                    refresh_token: gmailCreds.refreshToken,
                    sender_email: gmailCreds.senderEmail,
                  },
                  settings: { base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` },
                },
              ],
            ] as const) {
              const res = await p.api('POST', `/api/platform/integrations/providers/${key}/activate`, body);
              if (res.status !== 200)
                throw new Error(`activating ${key} answered ${res.status}: ${res.text.slice(0, 200)}`);
            }

            // affiliates: registrations through the API (both replicas serve it), deposits from the bus
            await setDefaultThreshold(p);
            const customers: string[] = [];
            for (let a = 0; a < AFFILIATES; a++) {
              await registerAffiliate(p, `aff-r${a}`, `${receiver.url}/hook`);
              const mine = Array.from({ length: LEADS_PER_AFFILIATE }, () => randomUUID());
              await insertLeads(p, `aff-r${a}`, mine);
              customers.push(...mine);
            }
            const statuses = new Statuses();
            let next = 0;
            await closedLoop(
              16,
              () => next < customers.length,
              async () => {
                const c = customers[next++];
                await attempt(statuses, () =>
                  p.api('POST', '/api/platform/affiliates/events', {
                    customer_id: c,
                    event: 'lead.registered',
                    occurred_at: new Date().toISOString(),
                  }),
                );
              },
            );
            const depositsAt = Date.now();
            await publishDeposits(p, customers, 'rep');
            const expected = customers.length * 2;
            const delivered = await eventually(
              'every registration and FTD delivered',
              () => (receiver.items.size >= expected ? Date.now() : undefined),
              { timeoutMs: 90_000, everyMs: 200 },
            ).catch((err: Error) => {
              rb.check(false, err.message);
              return Date.now();
            });
            await sleep(1000); // a batch sent twice would arrive now
            const lostLeads = customers.filter(
              (c) =>
                !receiver.has('/hook', 'lead.registered', `L-${c}`) || !receiver.has('/hook', 'lead.ftd', `L-${c}`),
            ).length;

            // comms: the default swapped while sends flow through both replicas
            const sends: { start: number; provider: string }[] = [];
            const sendStatuses = new Statuses();
            let sending = true;
            const load = closedLoop(
              SENDERS,
              () => sending,
              async () => {
                const start = Date.now();
                const a = await attempt(sendStatuses, () =>
                  p.api('POST', '/api/platform/integrations/email/send', {
                    to: 'lead@example.com',
                    subject: 'swap drill',
                    body_html: '<p>drill</p>',
                    from_email: 'crm@broker.example',
                    event_type: 'drill',
                  }),
                );
                if (a?.status === 200) sends.push({ start, provider: a.json<{ provider: string }>().provider });
              },
            );
            await sleep(1500);
            const lags: number[] = [];
            const servedBoth: boolean[] = [];
            for (const to of ['gmail', 'sendgrid']) {
              const before = await sendsByReplica(p);
              const res = await p.api('PUT', '/api/platform/integrations/categories/email/default', { provider: to });
              if (res.status !== 200) throw new Error(`swapping the email default to ${to} answered ${res.status}`);
              const swappedAt = Date.now();
              await sleep(3000);
              const after = await sendsByReplica(p);
              servedBoth.push(Object.keys(before).every((k) => after[k] > before[k]));
              const stale = sends.filter((s) => s.start >= swappedAt && s.provider !== to);
              lags.push(stale.length ? Math.max(...stale.map((s) => s.start - swappedAt)) : 0);
            }
            sending = false;
            await load;

            rb.set({
              load: `${customers.length} leads of ${AFFILIATES} affiliates (registration + FTD each); ${sends.length} email sends by ${SENDERS} clients`,
              fault: 'two replicas each; email default swapped to Gmail and back under load',
              answered2xx: statuses.ok + sendStatuses.ok,
              effects: `${receiver.posts} batches, ${receiver.items.size} leads delivered; ${sendgrid.sent.length} SendGrid + ${gmail.sent.length} Gmail mails`,
              lost: lostLeads,
              duplicated: receiver.resentBatches + receiver.duplicatedItems,
              recoveredIn: `swap seen by both replicas within ${lags.map((l) => seconds(l)).join(' / ')}`,
              shed: statuses.of503 + sendStatuses.of503,
            });
            rb.note(
              `event answers: ${statuses.toString()}; send answers: ${sendStatuses.toString()}; every lead delivered ${seconds(delivered - depositsAt)} after the deposits were published`,
            );
            rb.check(lostLeads === 0, `${lostLeads} leads not delivered (registration or FTD)`);
            rb.check(
              receiver.resentBatches === 0,
              `${receiver.resentBatches} batches sent twice (same webhook-id) with no replica failing`,
            );
            rb.check(
              receiver.duplicatedItems === 0,
              `${receiver.duplicatedItems} leads delivered in two different batches`,
            );
            rb.check(
              servedBoth.every(Boolean),
              'a comms replica served no send after a swap: the drill could not see both',
            );
            rb.check(
              lags.every((l) => l <= 10_000),
              `a replica used the old default ${lags.map((l) => seconds(l)).join(' / ')} after the swap (limit 10 s)`,
            );
            rb.check(statuses.of500 + sendStatuses.of500 === 0, 'an answer was 500');
          } finally {
            await sendgrid.stop();
            await gmail.stop();
          }
        },
      );
    } finally {
      await receiver.stop();
    }
  },
};
