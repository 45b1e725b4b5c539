import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import type { StatsView } from '@app/contracts';
import { eventually } from '@app/testing';

import { AffiliateReceiver } from '../../affiliates/test/support/receiver';
import { startPlatform, type Platform } from '../src/platform';

const SECRET = 'batching-secret-0123456789';
const INTERVAL = 6000;

/** Several affiliates' FTDs published on the bus as the payments service would, in windows of 500. */
async function publishDeposits(js: JetStreamClient, prefix: string, customers: string[]): Promise<void> {
  for (let i = 0; i < customers.length; i += 500) {
    await Promise.all(
      customers.slice(i, i + 500).map((c) =>
        js.publish(
          `${prefix}.evt.payments.deposit.approved`,
          JSON.stringify({
            customer_id: c,
            country: 'DE',
            amount: '250.00',
            currency: 'USD',
            gateway: 'praxis',
            provider_transaction_id: `tx-${c}`,
            approved_at: new Date().toISOString(),
          }),
          { msgID: `dep-${c}` },
        ),
      ),
    );
  }
}

describe('affiliates: batching per flush interval, and two replicas delivering each batch once', () => {
  let p: Platform;
  let rx: AffiliateReceiver;
  let nc: NatsConnection;
  let js: JetStreamClient;
  const api = (path: string, method: string, json: unknown) =>
    p.api(`/api/platform/affiliates/${path}`, { method, json });

  async function setUp(affiliate: string, customers: string[], maxBatch = 100) {
    expect(
      (await api(affiliate, 'PUT', { name: affiliate, webhook_url: rx.url, secret: SECRET, max_batch_size: maxBatch }))
        .status,
    ).toBe(200);
    // 20 requests at a time: one after another, hundreds of leads take most of a loaded machine's minute
    for (let i = 0; i < customers.length; i += 20) {
      const lead = (c: string) =>
        api('leads', 'POST', {
          affiliate_id: affiliate,
          affiliate_lead_id: `lead-${c}`,
          customer_id: c,
          country: 'DE',
        });
      const answers = await Promise.all(customers.slice(i, i + 20).map(lead));
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 201));
    }
  }
  const stats = async (affiliate: string) =>
    (await (await api(`${affiliate}/stats`, 'GET', undefined)).json()) as StatsView;

  beforeAll(async () => {
    rx = await new AffiliateReceiver([SECRET]).start();
    p = await startPlatform({
      services: ['affiliates'],
      env: {
        AFFILIATE_BATCH_INTERVAL_MS: String(INTERVAL),
        AFFILIATE_ALLOWED_HOSTS: rx.hostPort,
        AFFILIATE_ALLOW_HTTP: 'true',
      },
    });
    nc = await connect({ servers: p.infra.natsUrl });
    js = jetstream(nc);
    expect((await api('ftd-thresholds/default', 'PUT', { min_amount: 50, currency: 'USD' })).status).toBe(200);
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    await rx?.stop();
  });

  it('sends 250 FTDs of one affiliate as three POSTs (100, 100, 50) at the next flush, none earlier', async () => {
    const customers = Array.from({ length: 250 }, (_, i) => `solo-${i}`);
    await setUp('solo', customers);
    // start well after a flush boundary (the flush runs at the first scheduler tick past it), so that
    // every event lands in the same interval
    const nextBoundary = Math.ceil(Date.now() / INTERVAL) * INTERVAL;
    await new Promise((r) => setTimeout(r, nextBoundary - Date.now() + 1500));
    await publishDeposits(js, p.infra.prefix, customers);
    await eventually('all 250 queued', async () => (await stats('solo')).pending_events === 250, { timeoutMs: 20000 });
    const queuedAt = Date.now();
    expect(rx.received).toHaveLength(0); // nothing sent before the flush
    await eventually('three POSTs', () => rx.received.length === 3);
    expect(rx.received.map((r) => r.json.leads.length)).toEqual([100, 100, 50]);
    const batchAt = rx.received[0].json.batch_at;
    for (const r of rx.received) {
      expect(r.json.batch_at).toBe(batchAt); // one flush
      expect(r.at).toBeGreaterThanOrEqual(Date.parse(batchAt)); // at its interval boundary, not before
      expect(r.at).toBeGreaterThanOrEqual(queuedAt - 1000);
      expect(r.json.event).toBe('lead.ftd');
      expect(r.validHex).toEqual([SECRET]);
    }
    expect(Date.parse(batchAt) % INTERVAL).toBe(0);
    expect(new Set(rx.leads().map((l) => l.affiliate_lead_id)).size).toBe(250);
  });

  it('with two replicas running, delivers every lead once: no batch twice, none lost', async () => {
    rx.received.length = 0;
    await p.startReplica('affiliates');
    const all: string[] = [];
    // 30 batches of 10 to split between the replicas: what they race for is batches, not leads
    const affiliates = Array.from({ length: 6 }, (_, a) => `rep-${a}`);
    for (const [a, affiliate] of affiliates.entries()) {
      const customers = Array.from({ length: 50 }, (_, i) => `r${a}-${i}`);
      await setUp(affiliate, customers, 10);
      all.push(...customers);
    }
    await publishDeposits(js, p.infra.prefix, all);
    await eventually('every lead delivered', () => rx.leads().length >= all.length, { timeoutMs: 60000 });
    // done once every affiliate's batches are delivered, each attempted once, and every POST is one of them
    await eventually('every POST logged as an attempt', async () => {
      const views = await Promise.all(affiliates.map(stats));
      const attempted = views.reduce((n, v) => n + v.total_attempts, 0);
      return views.every((v) => v.pending_events === 0) && attempted === rx.received.length;
    });
    for (const v of await Promise.all(affiliates.map(stats))) expect(v.total_attempts).toBe(v.delivered_batches);
    const ids = rx.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    const leads = rx.leads().map((l) => String(l.affiliate_lead_id));
    expect(leads).toHaveLength(all.length);
    expect(new Set(leads)).toEqual(new Set(all.map((c) => `lead-${c}`)));
    expect(rx.received.every((r) => r.json.leads.length <= 10)).toBe(true);
  });
});
