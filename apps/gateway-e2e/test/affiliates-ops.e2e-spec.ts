import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';

import type { AttemptView, IntakeStatsView } from '@app/contracts';
import { eventually } from '@app/testing';

import { AffiliateReceiver } from '../../affiliates/test/support/receiver';
import { startPlatform, type Platform } from '../src/platform';

const SECRET = 'ops-secret-at-rest-0123456789-QRST';
const ROTATED = 'ops-secret-rotated-9876543210-LMNO';
/** Longer than any wait of this file: the slow affiliate's request stays open while the test looks. */
const SLOW_MS = 90_000;

describe('affiliates: secrets at rest, intake counters, and lanes that do not wait for each other (real NATS and Postgres)', () => {
  let p: Platform;
  let rx: AffiliateReceiver;
  let slowRx: AffiliateReceiver;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let db: Client;
  let seq = 0;

  const json = async <T>(res: Response) => (await res.json()) as T;
  const put = (path: string, body: unknown) => p.api(`/api/platform/affiliates/${path}`, { method: 'PUT', json: body });
  const post = (path: string, body: unknown) =>
    p.api(`/api/platform/affiliates/${path}`, { method: 'POST', json: body });
  const register = (id: string, url: string, secret = SECRET) =>
    put(id, { name: `Affiliate ${id}`, webhook_url: url, secret });
  const lead = (affiliate: string, customer: string) =>
    post('leads', {
      affiliate_id: affiliate,
      affiliate_lead_id: `L-${customer}`,
      customer_id: customer,
      country: 'DE',
    });
  const deposit = (customer: string, amount: string) =>
    js.publish(
      `${p.infra.prefix}.evt.payments.deposit.approved`,
      JSON.stringify({
        customer_id: customer,
        country: 'DE',
        amount,
        currency: 'USD',
        gateway: 'praxis',
        provider_transaction_id: `ops-tx-${++seq}`,
        approved_at: new Date().toISOString(),
      }),
      { msgID: `ops-dep-${customer}-${seq}` },
    );
  const intakeStats = async () => {
    const res = await p.api('/api/platform/affiliates/intake/stats');
    expect(res.status).toBe(200);
    return json<IntakeStatsView>(res);
  };
  const attempts = async (id: string) =>
    (await json<{ deliveries: AttemptView[] }>(await p.api(`/api/platform/affiliates/${id}/deliveries`))).deliveries;

  /** Every row of every table of the affiliates schema, as text. */
  async function dumpSchema(): Promise<string> {
    const tables = (
      await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'affiliates' AND table_type = 'BASE TABLE'`,
      )
    ).rows;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['affiliates', 'leads', 'lead_events', 'counters']),
    );
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const rows = (
        await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM affiliates."${table_name}" t`)
      ).rows;
      parts.push(...rows.map((r) => r.row));
    }
    return parts.join('\n');
  }

  beforeAll(async () => {
    rx = await new AffiliateReceiver([SECRET]).start();
    slowRx = await new AffiliateReceiver([SECRET]).start();
    slowRx.fallback = { status: 200, body: '{"ok":true}', delayMs: SLOW_MS };
    p = await startPlatform({
      services: ['affiliates'],
      env: {
        AFFILIATE_BATCH_INTERVAL_MS: '500',
        AFFILIATE_ALLOWED_HOSTS: `${rx.hostPort},${slowRx.hostPort}`,
        AFFILIATE_ALLOW_HTTP: 'true',
        AFFILIATE_REQUEST_TIMEOUT_MS: String(SLOW_MS + 10_000),
      },
    });
    nc = await connect({ servers: p.infra.natsUrl });
    js = jetstream(nc);
    db = new Client({ connectionString: p.infra.databaseUrl });
    await db.connect();
    expect((await put('ftd-thresholds/default', { min_amount: 50, currency: 'USD' })).status).toBe(200);
  });
  afterAll(async () => {
    await slowRx?.stop(); // aborts the open request, so that the service stops at once
    await db?.end();
    await nc?.close();
    await p?.stop();
    await rx?.stop();
  });

  it('stores the secret, and the previous one after a rotation, sealed by the vault: no table holds the text', async () => {
    expect((await register('sealed', rx.url)).status).toBe(200);
    expect((await lead('sealed', 'sealed-1')).status).toBe(201);
    let dump = await dumpSchema();
    expect(dump).toContain('sealed-1'); // the dump does see this affiliate's data
    expect(dump).not.toContain(SECRET);
    const [first] = (
      await db.query<{ secret_sealed: string; previous_secret_sealed: string | null }>(
        `SELECT secret_sealed, previous_secret_sealed FROM affiliates.affiliates WHERE id = 'sealed'`,
      )
    ).rows;
    expect(first.secret_sealed).toMatch(/^v1\./);
    expect(first.previous_secret_sealed).toBeNull();

    expect((await put('sealed', { secret: ROTATED })).status).toBe(200);
    dump = await dumpSchema();
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(ROTATED);
    const [rotated] = (
      await db.query<{ secret_sealed: string; previous_secret_sealed: string | null }>(
        `SELECT secret_sealed, previous_secret_sealed FROM affiliates.affiliates WHERE id = 'sealed'`,
      )
    ).rows;
    expect(rotated.secret_sealed).toMatch(/^v1\./);
    expect(rotated.previous_secret_sealed).toMatch(/^v1\./);
    expect(rotated.secret_sealed).not.toBe(first.secret_sealed);
  });

  it('counts deposits of customers with no attribution, visible at GET /api/platform/affiliates/intake/stats', async () => {
    const before = (await intakeStats()).unattributed_events;
    expect(before).toEqual(expect.any(Number));
    await deposit('nobody-knows-me', '500.00');
    await eventually(
      'the unattributed deposit counted',
      async () => (await intakeStats()).unattributed_events === before + 1,
    );

    // an attributed customer's deposit is not counted; a stranger's API event is
    expect((await register('known', rx.url)).status).toBe(200);
    expect((await lead('known', 'known-1')).status).toBe(201);
    await deposit('known-1', '75.00');
    await eventually('the known FTD delivered', () =>
      rx.leads('lead.ftd').some((l) => l.affiliate_lead_id === 'L-known-1'),
    );
    expect((await intakeStats()).unattributed_events).toBe(before + 1);
    expect(await json(await post('events', { customer_id: 'another-stranger', event: 'lead.registered' }))).toEqual({
      outcome: 'ignored',
    });
    expect((await intakeStats()).unattributed_events).toBe(before + 2);
  });

  it("delivers to a fast affiliate while a slow affiliate's request is still open", async () => {
    expect((await register('slow', slowRx.url)).status).toBe(200);
    expect((await register('fast', rx.url)).status).toBe(200);
    expect((await lead('slow', 'slow-1')).status).toBe(201);
    expect((await lead('fast', 'fast-1')).status).toBe(201);

    expect((await post('events', { customer_id: 'slow-1', event: 'lead.registered' })).status).toBe(202);
    await eventually("the slow affiliate's request under way", () => slowRx.received.length === 1);

    expect((await post('events', { customer_id: 'fast-1', event: 'lead.registered' })).status).toBe(202);
    const fastBatch = await eventually("the fast affiliate's batch", () =>
      rx.received.find((r) => r.json.leads.some((l) => l.affiliate_lead_id === 'L-fast-1')),
    );
    expect(fastBatch.json.event).toBe('lead.registered');
    // the slow request has not been answered (no attempt logged yet), and was not sent twice
    expect(await attempts('slow')).toEqual([]);
    expect(slowRx.received).toHaveLength(1);
    await eventually('the fast attempt logged', async () => (await attempts('fast')).length === 1);
    expect((await attempts('fast'))[0]).toMatchObject({ status_code: 200, lead_count: 1 });
  });
});
