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
    for (const c of customers) {
      expect(
        (
          await api('leads', 'POST', {
            affiliate_id: affiliate,
            affiliate_lead_id: `lead-${c}`,
            customer_id: c,
            country: 'DE',
          })
        ).status,
      ).toBe(201);
    }
  }

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
    const stats = async () => (await (await api('solo/stats', 'GET', undefined)).json()) as StatsView;
    await eventually('all 250 queued', async () => (await stats()).pending_events === 250);
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
    for (let a = 0; a < 6; a++) {
      const customers = Array.from({ length: 120 }, (_, i) => `r${a}-${i}`);
      await setUp(`rep-${a}`, customers, 25);
      all.push(...customers);
    }
    await publishDeposits(js, p.infra.prefix, all);
    await eventually('every lead delivered', () => rx.leads().length >= all.length, { timeoutMs: 60000 });
    await new Promise((r) => setTimeout(r, INTERVAL + 1000)); // a late duplicate would show up now
    const ids = rx.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    const leads = rx.leads().map((l) => String(l.affiliate_lead_id));
    expect(leads).toHaveLength(all.length);
    expect(new Set(leads)).toEqual(new Set(all.map((c) => `lead-${c}`)));
    expect(rx.received.every((r) => r.json.leads.length <= 25)).toBe(true);
  });
});
