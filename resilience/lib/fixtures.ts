import { randomBytes } from 'node:crypto';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';

import { httpCall, type Platform } from './platform';
import { secrets } from './secrets';

/** An affiliate whose webhook is the drill's receiver; its secret is registered for the scan. */
export async function registerAffiliate(p: Platform, id: string, webhookUrl: string, maxBatch = 100): Promise<void> {
  const secret = `aff-secret-${id}-${randomBytes(12).toString('hex')}`;
  secrets.add(`affiliate secret (${id})`, secret);
  const res = await p.api('PUT', `/api/platform/affiliates/${id}`, {
    name: `Drill ${id}`,
    webhook_url: webhookUrl,
    secret,
    is_active: true,
    max_batch_size: maxBatch,
  });
  if (res.status !== 200)
    throw new Error(`registering affiliate ${id} answered ${res.status}: ${res.text.slice(0, 200)}`);
}

export async function setDefaultThreshold(p: Platform, minAmount = 100): Promise<void> {
  const res = await p.api('PUT', '/api/platform/affiliates/ftd-thresholds/default', {
    min_amount: minAmount,
    currency: 'USD',
  });
  if (res.status !== 200) throw new Error(`setting the default FTD threshold answered ${res.status}`);
}

/**
 * Attributed leads, written straight into affiliates' table (thousands through the API would only
 * lengthen the set-up; the drills test what happens to events, not lead creation).
 */
export async function insertLeads(p: Platform, affiliateId: string, customers: string[]): Promise<void> {
  for (let i = 0; i < customers.length; i += 5000) {
    const chunk = customers.slice(i, i + 5000);
    await p.sql(
      `INSERT INTO affiliates.leads (customer_id, affiliate_id, affiliate_lead_id, country)
       SELECT c, $1, 'L-' || c, 'DE' FROM unnest($2::text[]) c`,
      [affiliateId, chunk],
    );
  }
}

/** Messages per subject in the EVENTS stream, read as the `crm` user (which may read stream info). */
export async function streamCounts(p: Platform): Promise<Record<string, number>> {
  const nc = await p.natsAs('crm');
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('EVENTS', { subjects_filter: '>' });
    return info.state.subjects ?? {};
  } finally {
    await nc.close();
  }
}

/** Outbox rows per subject (all schemas), and how many are still unpublished. */
export async function outboxCounts(
  p: Platform,
  schemas: string[],
): Promise<{ bySubject: Record<string, number>; unpublished: number }> {
  const bySubject: Record<string, number> = {};
  let unpublished = 0;
  for (const s of schemas) {
    for (const r of await p.sql<{ subject: string; n: string; pending: string }>(
      `SELECT subject, count(*) AS n, count(*) FILTER (WHERE published_at IS NULL) AS pending FROM ${s}.outbox GROUP BY subject`,
    )) {
      bySubject[r.subject] = (bySubject[r.subject] ?? 0) + Number(r.n);
      unpublished += Number(r.pending);
    }
  }
  return { bySubject, unpublished };
}

/** Subjects whose outbox row count differs from the stream's message count: each row must be published once. */
export function publishMismatches(outbox: Record<string, number>, stream: Record<string, number>): string[] {
  const subjects = new Set([...Object.keys(outbox), ...Object.keys(stream)]);
  return [...subjects]
    .filter((s) => (outbox[s] ?? 0) !== (stream[s] ?? 0))
    .map((s) => `${s}: ${outbox[s] ?? 0} outbox rows, ${stream[s] ?? 0} in the stream`);
}

/**
 * Every service's /readyz answers 200, and the gateway's /health says its NATS link and every service
 * this drill runs are ok (its /readyz also wants the services the drill does not run).
 */
export async function allReady(p: Platform): Promise<boolean> {
  for (const u of p.serviceUrls.values()) {
    const res = await httpCall(p.agent, `${u}/readyz`, 'GET', {}).catch(() => null);
    if (res?.status !== 200) return false;
  }
  const health = await httpCall(p.agent, `${p.gatewayUrl}/health`, 'GET', {}).catch(() => null);
  if (health?.status !== 200) return false;
  const checks = health.json<{ checks: Record<string, { status: string }> }>().checks;
  return ['nats', ...Object.keys(p.opts.services)].every((k) => checks[k]?.status === 'ok');
}

/** evt.payments.deposit.approved as payments publishes it, one per customer, published as the payments user. */
export async function publishDeposits(p: Platform, customers: string[], idPrefix: string): Promise<void> {
  const nc = await p.natsAs('payments');
  try {
    const js = jetstream(nc);
    for (let i = 0; i < customers.length; i += 500) {
      await Promise.all(
        customers.slice(i, i + 500).map((c) =>
          js.publish(
            'evt.payments.deposit.approved',
            JSON.stringify({
              customer_id: c,
              country: 'DE',
              amount: '150.00',
              currency: 'USD',
              gateway: 'praxis',
              provider_transaction_id: `tx-${c}`,
              approved_at: new Date().toISOString(),
            }),
            { msgID: `${idPrefix}-${c}` },
          ),
        ),
      );
    }
  } finally {
    await nc.close();
  }
}

/** Customers with exactly n lead events of `event`, and how many extra events there are. */
export async function leadEventCounts(p: Platform, event: string): Promise<Map<string, number>> {
  const rows = await p.sql<{ customer_id: string; n: string }>(
    `SELECT customer_id, count(*) AS n FROM affiliates.lead_events WHERE event = $1 GROUP BY customer_id`,
    [event],
  );
  return new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
}

export async function processedCount(p: Platform, schema: string, consumer: string): Promise<number> {
  const [{ n }] = await p.sql<{ n: string }>(
    `SELECT count(*) AS n FROM ${schema}.processed_messages WHERE consumer = $1`,
    [consumer],
  );
  return Number(n);
}

/**
 * True once no lead event waits for a batch and no batch waits for delivery. A lead event leaves
 * 'pending' when it is put in a batch, before that batch is sent: checking the lead events alone
 * reads "all delivered" while the last batch is still on its way.
 */
export async function allLeadsDelivered(p: Platform): Promise<boolean> {
  const [{ n, d }] = await p.sql<{ n: string; d: string }>(
    `SELECT (SELECT count(*) FROM affiliates.lead_events WHERE status = 'pending') AS n,
            (SELECT count(*) FROM affiliates.deliveries WHERE state <> 'delivered') AS d`,
  );
  return n === '0' && d === '0';
}
