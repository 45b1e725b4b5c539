import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import type { AffiliateView, AttemptView, StatsView } from '@app/contracts';
import { eventually, TEST_API_KEY } from '@app/testing';

import { AffiliateReceiver, sleep } from '../../affiliates/test/support/receiver';
import { startPlatform, type Platform } from '../src/platform';

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };
/** The fields a problem names (a field failing two rules is listed twice). */
const fieldsOf = async (res: Response) =>
  [...new Set(((await res.json()) as Problem).errors?.map((e) => e.field))].sort();
const SECRET = 'aff-secret-0123456789-ABCD';
const READ_KEY = 'affiliates-read-only-key-0123456789';

describe('affiliates: FTD tracking, suppression and signed batched delivery (real NATS and Postgres)', () => {
  let p: Platform;
  let rx: AffiliateReceiver;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let seq = 0;
  const env = (port: string) => ({
    AFFILIATE_BATCH_INTERVAL_MS: '500',
    AFFILIATE_ALLOWED_HOSTS: port,
    AFFILIATE_ALLOW_HTTP: 'true',
    AFFILIATE_RETRY_SCHEDULE_MS: '300,300,300,300',
    AFFILIATE_FX_RATES: 'USD=1,EUR=1.1',
    PLATFORM_API_KEYS: `${TEST_API_KEY},${READ_KEY}:read`,
  });

  const json = async <T>(res: Response) => (await res.json()) as T;
  const put = (path: string, body: unknown) => p.api(`/api/platform/affiliates/${path}`, { method: 'PUT', json: body });
  const post = (path: string, body?: unknown) =>
    p.api(`/api/platform/affiliates/${path}`, { method: 'POST', json: body ?? {} });
  const register = (id: string, url = rx.url, extra: Record<string, unknown> = {}) =>
    put(id, { name: `Affiliate ${id}`, webhook_url: url, secret: SECRET, ...extra });
  const lead = (affiliate: string, customer: string, country: string) =>
    post('leads', { affiliate_id: affiliate, affiliate_lead_id: `L-${customer}`, customer_id: customer, country });
  const deposit = (customer: string, amount: string, currency = 'USD', country = 'BR') =>
    js.publish(
      `${p.infra.prefix}.evt.payments.deposit.approved`,
      JSON.stringify({
        customer_id: customer,
        country,
        amount,
        currency,
        gateway: 'praxis',
        provider_transaction_id: `tx-${++seq}`,
        approved_at: new Date().toISOString(),
      }),
      { msgID: `dep-${customer}-${seq}` },
    );
  const stats = async (id: string) => json<StatsView>(await p.api(`/api/platform/affiliates/${id}/stats`));
  const attempts = async (id: string) =>
    (await json<{ deliveries: AttemptView[] }>(await p.api(`/api/platform/affiliates/${id}/deliveries`))).deliveries;
  const forAffiliate = (id: string) =>
    rx.received.filter((r) => r.json.leads.some((l) => String(l.affiliate_lead_id).startsWith(`L-${id}-`)));

  beforeAll(async () => {
    rx = await new AffiliateReceiver([SECRET]).start();
    p = await startPlatform({ services: ['affiliates'], env: env(rx.hostPort) });
    nc = await connect({ servers: p.infra.natsUrl });
    js = jetstream(nc);
    expect((await put('ftd-thresholds/br', { min_amount: 100, currency: 'USD' })).status).toBe(200);
    expect((await put('ftd-thresholds/default', { min_amount: '50', currency: 'USD' })).status).toBe(200);
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    await rx?.stop();
  });

  it('registers an affiliate with the secret masked and never echoed', async () => {
    const res = await register('acme');
    expect(res.status).toBe(200);
    const a = await json<AffiliateView>(res);
    expect(a).toMatchObject({
      affiliate_id: 'acme',
      webhook_url: rx.url,
      secret: '****ABCD',
      is_active: true,
      max_batch_size: 100,
    });
    expect(JSON.stringify(await json(await p.api('/api/platform/affiliates/acme')))).not.toContain(SECRET);
    expect(p.logs.text()).not.toContain(SECRET);
    expect((await p.api('/api/platform/affiliates/nobody')).status).toBe(404);
  });

  it('refuses bad input naming every field, and stores nothing', async () => {
    const res = await put('newbie', { webhook_url: 42, secret: '', max_batch_size: 0, is_active: 'yes', extra: 1 });
    expect(res.status).toBe(400);
    expect(await fieldsOf(res)).toEqual(['extra', 'is_active', 'max_batch_size', 'secret', 'webhook_url']);
    const missing = await put('newbie', { name: 'New' });
    expect(await fieldsOf(missing)).toEqual(['secret', 'webhook_url']);
    expect((await p.api('/api/platform/affiliates/newbie')).status).toBe(404);
    const th = await put('ftd-thresholds/BR', { min_amount: -5, currency: 'dollars' });
    expect(await fieldsOf(th)).toEqual(['currency', 'min_amount']);
    const country = await put('ftd-thresholds/BRA', { min_amount: 5, currency: 'USD' });
    expect(country.status).toBe(400);
    expect(await fieldsOf(country)).toEqual(['country']);
    expect(
      (
        await json<{ thresholds: { country: string }[] }>(await p.api('/api/platform/affiliates/ftd-thresholds'))
      ).thresholds.map((t) => t.country),
    ).toEqual(['BR', 'default']);
    const badLead = await post('leads', { affiliate_id: 'acme', customer_id: '', country: 'Brazil' });
    expect(await fieldsOf(badLead)).toEqual(['affiliate_lead_id', 'country', 'customer_id']);
    const badEvent = await post('events', { customer_id: 'c-1', event: 'lead.ftd', occurred_at: 'yesterday' });
    expect(await fieldsOf(badEvent)).toEqual(['event', 'occurred_at']);
    const noAmount = await post('events', { customer_id: 'c-1', event: 'lead.deposit' });
    expect(noAmount.status).toBe(400);
    expect(await fieldsOf(noAmount)).toEqual(['amount', 'currency']);
    expect((await lead('nobody', 'c-x', 'BR')).status).toBe(404);
  });

  it('refuses countries and currencies outside ISO 3166-1 / ISO 4217 and deposits of zero or less, naming the field, storing nothing', async () => {
    expect((await register('iso')).status).toBe(200);
    for (const country of ['XX', 'ZZ', 'zz']) {
      const th = await put(`ftd-thresholds/${country}`, { min_amount: 5, currency: 'USD' });
      expect([country, th.status, await fieldsOf(th)]).toEqual([country, 400, ['country']]);
      const l = await lead('iso', `iso-${country}`, country);
      expect([country, l.status, await fieldsOf(l)]).toEqual([country, 400, ['country']]);
    }
    const th = await put('ftd-thresholds/DE', { min_amount: 5, currency: 'XYZ' });
    expect([th.status, await fieldsOf(th)]).toEqual([400, ['currency']]);
    expect(
      (
        await json<{ thresholds: { country: string }[] }>(await p.api('/api/platform/affiliates/ftd-thresholds'))
      ).thresholds.map((t) => t.country),
    ).toEqual(['BR', 'default']);
    expect((await lead('iso', 'iso-1', 'de')).status).toBe(201);
    const before = await stats('iso');
    for (const [amount, currency, fields] of [
      [10, 'XYZ', ['currency']],
      [0, 'USD', ['amount']],
      ['0.00', 'USD', ['amount']],
      [-1, 'USD', ['amount']],
    ] as const) {
      const res = await post('events', { customer_id: 'iso-1', event: 'lead.deposit', amount, currency });
      expect([amount, currency, res.status, await fieldsOf(res)]).toEqual([amount, currency, 400, fields]);
    }
    expect(await stats('iso')).toEqual(before);
  });

  it('applies the country threshold, else the default; posts lead.ftd in the seed shape with verifiable signatures', async () => {
    expect((await lead('acme', 'acme-br', 'br')).status).toBe(201);
    expect((await lead('acme', 'acme-de', 'DE')).status).toBe(201);
    await deposit('acme-br', '60.00');
    await eventually(
      'the small deposit queued or delivered',
      async () => (await stats('acme')).pending_events === 1 || (await stats('acme')).delivered_batches >= 1,
    );
    await deposit('acme-br', '150.00');
    await deposit('acme-de', '60', 'USD', 'DE');
    await eventually('two FTDs delivered', () => rx.leads('lead.ftd').length === 2);
    await eventually('the small deposit delivered', () => rx.leads('lead.deposit').length === 1);
    expect(rx.leads('lead.deposit')[0]).toMatchObject({ affiliate_lead_id: 'L-acme-br', amount: 60, currency: 'USD' });
    const ftds = rx.leads('lead.ftd');
    expect(ftds.map((l) => l.affiliate_lead_id).sort()).toEqual(['L-acme-br', 'L-acme-de']);
    expect(ftds.find((l) => l.affiliate_lead_id === 'L-acme-br')).toEqual({
      affiliate_lead_id: 'L-acme-br',
      amount: 150,
      currency: 'USD',
      ftd_at: expect.any(String),
    });
    for (const r of rx.received) {
      expect(Object.keys(r.json)).toEqual(['event', 'batch_at', 'leads']);
      expect(r.json.batch_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(r.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(r.validHex).toEqual([SECRET]);
      expect(r.validStandard).toEqual([SECRET]);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    }
  });

  it('suppresses every later event of a lead after its FTD, also after a restart, and counts them', async () => {
    const before = rx.received.length;
    await deposit('acme-br', '500.00');
    const kyc = await post('events', { customer_id: 'acme-br', event: 'lead.kyc_approved' });
    expect(kyc.status).toBe(202);
    expect(await json(kyc)).toEqual({ outcome: 'suppressed', event: 'lead.kyc_approved' });
    await eventually('two suppressed', async () => (await stats('acme')).suppressed_events === 2);

    const [old] = p.services.get('affiliates')!;
    await old.stop();
    p.services.set('affiliates', []);
    await p.startReplica('affiliates');
    await deposit('acme-br', '700.00');
    await deposit('acme-de', '10', 'USD', 'DE');
    await eventually('four suppressed after the restart', async () => (await stats('acme')).suppressed_events === 4);
    // a later event of acme, delivered with nothing left queued or in flight: a suppressed event wrongly
    // queued before it would have gone out by then
    expect((await lead('acme', 'acme-later', 'DE')).status).toBe(201);
    expect((await post('events', { customer_id: 'acme-later', event: 'lead.registered' })).status).toBe(202);
    await eventually(
      'the later event delivered',
      async () => rx.received.length > before && (await stats('acme')).pending_events === 0,
    );
    expect(rx.received.slice(before).flatMap((r) => r.json.leads.map((l) => l.affiliate_lead_id))).toEqual([
      'L-acme-later',
    ]);
  });

  it('counts deposits in a currency with no rate as unconvertible, and ignores customers with no attribution', async () => {
    expect((await register('fx')).status).toBe(200);
    expect((await lead('fx', 'fx-1', 'BR')).status).toBe(201);
    const res = await post('events', { customer_id: 'fx-1', event: 'lead.deposit', amount: '1000', currency: 'JPY' });
    expect(await json(res)).toEqual({ outcome: 'queued', event: 'lead.deposit', unconvertible: true });
    const eur = await post('events', { customer_id: 'fx-1', event: 'lead.deposit', amount: 95, currency: 'EUR' });
    expect(await json(eur)).toEqual({ outcome: 'queued', event: 'lead.ftd' }); // 95 EUR = 104.5 USD >= 100
    expect(await json(await post('events', { customer_id: 'stranger', event: 'lead.registered' }))).toEqual({
      outcome: 'ignored',
    });
    expect((await stats('fx')).unconvertible_events).toBe(1);
  });

  it("sends a flush's earlier events of a lead before its lead.ftd", async () => {
    expect((await register('order')).status).toBe(200);
    expect((await lead('order', 'order-1', 'DE')).status).toBe(201);
    const marks = rx.received.length;
    await post('events', { customer_id: 'order-1', event: 'lead.registered' });
    await post('events', { customer_id: 'order-1', event: 'lead.deposit', amount: 10, currency: 'USD' });
    await post('events', { customer_id: 'order-1', event: 'lead.deposit', amount: 80, currency: 'USD' });
    await eventually('three batches', () => forAffiliate('order').length === 3);
    const mine = rx.received.slice(marks).filter((r) => forAffiliate('order').includes(r));
    expect(mine.map((r) => r.json.event)).toEqual(['lead.registered', 'lead.deposit', 'lead.ftd']);
  });

  it('retries a failing endpoint: 500, 500, 200 makes three attempts and one delivered batch', async () => {
    expect((await register('flaky')).status).toBe(200);
    expect((await lead('flaky', 'flaky-1', 'DE')).status).toBe(201);
    rx.answers.push({ status: 500, body: 'x'.repeat(5000) }, { status: 500, body: 'db down' });
    await deposit('flaky-1', '75');
    await eventually('delivered', async () => (await stats('flaky')).delivered_batches === 1);
    const log = await attempts('flaky');
    expect(log.map((a) => [a.attempt, a.status_code]).reverse()).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(new Set(log.map((a) => a.delivery_id)).size).toBe(1);
    expect(log[2].response_snippet).toHaveLength(1024);
    expect(log[0]).toMatchObject({ event: 'lead.ftd', lead_count: 1, error: null });
    const ids = forAffiliate('flaky').map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1); // webhook-id stable across retries
    const s = await stats('flaky');
    expect(s).toMatchObject({
      delivered_batches: 1,
      failed_attempts: 2,
      last_failure_reason: 'HTTP 500',
      pending_events: 0,
    });
    expect(s.success_rate).toBeCloseTo(1 / 3);
    expect(s.avg_latency_ms).toEqual(expect.any(Number));
  });

  it('honours Retry-After on 429', async () => {
    expect((await register('busy')).status).toBe(200);
    expect((await lead('busy', 'busy-1', 'DE')).status).toBe(201);
    rx.answers.push({ status: 429, headers: { 'retry-after': '2' } });
    await deposit('busy-1', '75');
    await eventually('the retry', () => forAffiliate('busy').length === 2);
    const [first, second] = forAffiliate('busy');
    expect(second.at - first.at).toBeGreaterThanOrEqual(1900); // not the 300 ms schedule
  });

  it('disables the affiliate at once on 410 and publishes evt.affiliates.endpoint.disabled', async () => {
    const events: unknown[] = [];
    const sub = nc.subscribe(`${p.infra.prefix}.evt.affiliates.endpoint.disabled`, {
      callback: (_e, m) => {
        events.push(m.json());
      },
    });
    expect((await register('gone')).status).toBe(200);
    expect((await lead('gone', 'gone-1', 'DE')).status).toBe(201);
    rx.answers.push({ status: 410 });
    await deposit('gone-1', '75');
    await eventually(
      'disabled',
      async () => !(await json<AffiliateView>(await p.api('/api/platform/affiliates/gone'))).is_active,
    );
    await eventually('the disabled event', () => events.length === 1);
    expect(events[0]).toMatchObject({ affiliate_id: 'gone', reason: expect.stringMatching(/410/) });
    await sleep(1500);
    expect(forAffiliate('gone')).toHaveLength(1);
    sub.unsubscribe();
    // re-enabled by the operator, the pending batch goes out
    expect((await put('gone', { is_active: true })).status).toBe(200);
    await eventually('the batch after re-enabling', () => forAffiliate('gone').length === 2);
  });

  it('redelivers a delivered batch on request, with the same webhook-id, logged as manual', async () => {
    const [last] = await attempts('acme');
    const res = await post(`acme/deliveries/${last.delivery_id}/redeliver`);
    expect(res.status).toBe(202);
    await eventually('the manual attempt', async () => (await attempts('acme')).some((a) => a.manual));
    const copies = rx.received.filter((r) => r.headers['webhook-id'] === last.delivery_id);
    expect(copies.length).toBe(2);
    expect(copies[1].body).toBe(copies[0].body);
    expect((await post('acme/deliveries/00000000-0000-0000-0000-000000000000/redeliver')).status).toBe(404);
    expect((await post('acme/deliveries/not-a-delivery/redeliver')).status).toBe(404);
  });

  it('signs with the old and the new secret during a rotation overlap', async () => {
    const NEW = 'aff-secret-rotated-99999-WXYZ';
    expect((await register('rot')).status).toBe(200);
    expect((await lead('rot', 'rot-1', 'DE')).status).toBe(201);
    const res = await put('rot', { secret: NEW });
    const view = await json<AffiliateView>(res);
    expect(view.secret).toBe('****WXYZ');
    expect(view.previous_secret_valid_until).toEqual(expect.any(String));
    rx.secrets = [SECRET, NEW];
    await post('events', { customer_id: 'rot-1', event: 'lead.registered' });
    const [r] = await eventually('delivery', () => (forAffiliate('rot').length ? forAffiliate('rot') : undefined));
    expect(r.validHex).toEqual([NEW]); // the header stays one sha256=<hex>, by the current secret
    expect(r.validPreviousHex).toEqual([SECRET]);
    expect(r.validStandard.sort()).toEqual([NEW, SECRET].sort());
    rx.secrets = [SECRET];
  });

  describe('GET /api/platform/affiliates', () => {
    type Page = { affiliates: AffiliateView[]; next_cursor: string | null };
    const list = async (query = '') => {
      const res = await p.api(`/api/platform/affiliates${query}`);
      expect(res.status).toBe(200);
      return json<Page>(res);
    };
    const problemFields = async (res: Response) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      return fieldsOf(res);
    };

    it('lists every affiliate in id order with its secret masked, as GET of each answers', async () => {
      for (const id of ['Zed', '0-first', 'list.b', 'list-a']) expect((await register(id)).status).toBe(200);
      const { affiliates, next_cursor } = await list();
      expect(next_cursor).toBeNull();
      const ids = affiliates.map((a) => a.affiliate_id);
      expect(ids).toEqual(expect.arrayContaining(['acme', 'iso', 'rot', 'Zed', '0-first', 'list.b', 'list-a']));
      expect(ids).toEqual([...ids].sort()); // byte order: digits, capitals, then lower case
      expect(new Set(ids).size).toBe(ids.length);
      expect(affiliates.every((a) => a.secret === '****ABCD' || a.secret === '****WXYZ')).toBe(true);
      expect(JSON.stringify(affiliates)).not.toContain(SECRET);
      const acme = affiliates.find((a) => a.affiliate_id === 'acme');
      expect(acme).toEqual(await json<AffiliateView>(await p.api('/api/platform/affiliates/acme')));
    });

    it('pages with ?limit= and next_cursor, each affiliate once', async () => {
      const all = (await list('?limit=500')).affiliates.map((a) => a.affiliate_id);
      expect(all.length).toBeGreaterThan(6);
      const seen: string[] = [];
      let page = await list('?limit=3');
      for (;;) {
        expect(page.affiliates.length).toBeLessThanOrEqual(3);
        seen.push(...page.affiliates.map((a) => a.affiliate_id));
        if (!page.next_cursor) break;
        page = await list(`?limit=3&cursor=${encodeURIComponent(page.next_cursor)}`);
      }
      expect(seen).toEqual(all);
    });

    it('refuses a bad limit or cursor with a problem naming the field', async () => {
      for (const q of ['?limit=0', '?limit=501', '?limit=ten', '?limit=-1']) {
        expect([q, await problemFields(await p.api(`/api/platform/affiliates${q}`))]).toEqual([q, ['limit']]);
      }
      for (const cursor of ['bogus', Buffer.from('["-x"]').toString('base64url')]) {
        expect(await problemFields(await p.api(`/api/platform/affiliates?cursor=${cursor}`))).toEqual(['cursor']);
      }
      expect(await problemFields(await p.api('/api/platform/affiliates?after_id=acme'))).toEqual(['after_id']);
    });

    it('refuses a missing or unknown key with 401 and lets a read key list', async () => {
      const missing = await p.api('/api/platform/affiliates', { auth: false });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const wrong = await p.api('/api/platform/affiliates', {
        auth: false,
        headers: { authorization: 'Bearer not-a-platform-key-0123' },
      });
      expect(wrong.status).toBe(401);
      expect(JSON.stringify(await wrong.json())).not.toContain('acme');
      const read = await p.api('/api/platform/affiliates', {
        auth: false,
        headers: { authorization: `Bearer ${READ_KEY}` },
      });
      expect(read.status).toBe(200);
      expect((await json<Page>(read)).affiliates.length).toBeGreaterThan(0);
    });
  });
});
