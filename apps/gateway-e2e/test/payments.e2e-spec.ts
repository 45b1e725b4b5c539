import { createHash } from 'node:crypto';

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';

import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import type { PaymentApprovedEvent, ResolutionView, RouteView, RoutingListView } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';
import { activatePaymentProviders } from './payment-providers';

const BP = {
  username: 'bp-api-user',
  password: 'bp-password-secret-1',
  apiKey: 'bp-merchant-api-key',
  cashierKey: 'bp-cashier-key-1',
};
const PX = { merchantId: 'API-merchant', applicationKey: 'app-key-1', merchantSecret: 'praxis-merchant-secret-XYZ' };
const CUSTOMER = '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11';

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('payment routing, cashier sessions and callbacks through the gateway (real NATS and Postgres, provider fakes)', () => {
  let p: Platform;
  let bridgerpay: BridgerpayFake;
  let praxis: PraxisFake;
  let nc: NatsConnection;
  let db: Client;
  const deposits: PaymentApprovedEvent[] = [];
  const withdrawals: PaymentApprovedEvent[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const resolve = (query: string) => p.api(`/payments/gateway?${query}`);
  const resolved = async (query: string) => {
    const res = await resolve(query);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`resolve ${query}: ${res.status} ${JSON.stringify(body)}`);
    return body as ResolutionView;
  };
  const putRoute = (country: string, body: unknown) =>
    p.api(`/api/platform/payments/routing/${country}`, { method: 'PUT', json: body });
  const activate = (key: string, body: unknown) =>
    p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
  const webhook = (provider: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${p.gateway.url}/webhooks/payments/${provider}`, { method: 'POST', body, headers });
  const count = async (sql: string, params: unknown[] = []) =>
    ((await db.query(sql, params)).rows[0] as { n: number }).n;

  beforeAll(async () => {
    bridgerpay = await new BridgerpayFake(BP).start();
    praxis = await new PraxisFake(PX).start();
    p = await startPlatform({ services: ['catalog', 'payments'] });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.evt.payments.deposit.approved`, {
      callback: (_e, m) => {
        deposits.push(m.json<PaymentApprovedEvent>());
      },
    });
    nc.subscribe(`${p.infra.prefix}.evt.payments.withdrawal.approved`, {
      callback: (_e, m) => {
        withdrawals.push(m.json<PaymentApprovedEvent>());
      },
    });
    await nc.flush();
    db = new Client({ connectionString: p.infra.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await p?.stop();
    await bridgerpay?.stop();
    await praxis?.stop();
  });

  it('answers 503 when no route and no default can serve', async () => {
    const res = await resolve('country=BR&direction=deposit&amount=10&currency=EUR');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('refuses a bad resolve query naming every bad field', async () => {
    const res = await resolve('country=XX&direction=payout&amount=-5&currency=EURO');
    expect(res.status).toBe(400);
    expect((await json<Problem>(res)).errors?.map((e) => e.field).sort()).toEqual([
      'amount',
      'country',
      'currency',
      'direction',
    ]);
    // the amount's minor-unit rule is listed with the query's other invalid fields
    const digits = await resolve('country=BR&amount=1.234&currency=usd&direction=x');
    expect(digits.status).toBe(400);
    expect((await json<Problem>(digits)).errors?.map((e) => e.field).sort()).toEqual(['amount', 'direction']);
    const unknownField = await resolve('country=BR&direction=deposit&colour=red');
    expect((await json<Problem>(unknownField)).errors?.map((e) => e.field)).toEqual(['colour']);
    for (const [query, field] of [
      ['country=BRA&direction=deposit', 'country'],
      ['country=1&direction=deposit', 'country'],
      ['direction=deposit', 'country'],
      ['country=BR', 'direction'],
      ['country=BR&direction=deposit&amount=0', 'amount'],
      ['country=BR&direction=deposit&amount=0.00', 'amount'],
      ['country=BR&direction=deposit&amount=abc', 'amount'],
      ['country=BR&direction=deposit&amount=1e3', 'amount'],
      ['country=BR&direction=deposit&currency=ZZZ', 'currency'],
      ['country=BR&direction=deposit&email=nope', 'email'],
    ] as const) {
      const r = await resolve(query);
      expect([query, r.status]).toEqual([query, 400]);
      expect([...new Set((await json<Problem>(r)).errors?.map((e) => e.field))]).toEqual([field]);
    }
    expect(await count('SELECT count(*)::int AS n FROM payments.cashier_sessions')).toBe(0);
  });

  it('refuses bad routes (unknown country, gateway of another category, missing fields) and stores nothing', async () => {
    const bad = await putRoute('XX', { deposit_gateway: 'sendgrid', withdrawal_gateway: 'praxis' });
    expect(bad.status).toBe(400);
    // path, body and the payment-provider rule are checked together: every invalid field in one 400
    expect((await json<Problem>(bad)).errors?.map((e) => e.field).sort()).toEqual(['country', 'deposit_gateway']);
    const badPathAndBody = await putRoute('XX', {
      deposit_gateway: 'Not A Key',
      withdrawal_gateway: 'sendgrid',
      extra: 1,
    });
    expect((await json<Problem>(badPathAndBody)).errors?.map((e) => e.field).sort()).toEqual([
      'country',
      'deposit_gateway',
      'extra',
      'withdrawal_gateway',
    ]);
    const badDefaultBoth = await p.api('/api/platform/payments/routing/default', {
      method: 'PUT',
      json: { deposit_gateway: 'Bad!', withdrawal_gateway: 'sendgrid' },
    });
    expect((await json<Problem>(badDefaultBoth)).errors?.map((e) => e.field).sort()).toEqual([
      'deposit_gateway',
      'withdrawal_gateway',
    ]);
    const wrongCategory = await putRoute('BR', { deposit_gateway: 'sendgrid', withdrawal_gateway: 'paypal' });
    expect(wrongCategory.status).toBe(400);
    expect((await json<Problem>(wrongCategory)).errors?.map((e) => e.field).sort()).toEqual([
      'deposit_gateway',
      'withdrawal_gateway',
    ]);
    const missing = await putRoute('BR', { deposit_gateway: 'bridgerpay', is_active: 'yes' });
    expect([...new Set((await json<Problem>(missing)).errors?.map((e) => e.field))].sort()).toEqual([
      'is_active',
      'withdrawal_gateway',
    ]);
    const badDefault = await p.api('/api/platform/payments/routing/default', {
      method: 'PUT',
      json: { deposit_gateway: 'twilio_sms', withdrawal_gateway: 'praxis' },
    });
    expect(badDefault.status).toBe(400);
    expect(await count('SELECT count(*)::int AS n FROM payments.routes')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM payments.default_route')).toBe(0);
    expect((await p.api('/api/platform/payments/routing/BR')).status).toBe(404);
  });

  it('stores routes per country (any case in, upper case out) and the default pair under /routing/default', async () => {
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );

    // active providers (and a catalog default) but no route and no default pair: 503
    expect((await resolve('country=FR&direction=deposit&amount=10&currency=EUR')).status).toBe(503);
    // a default pair whose gateway is not active: 503 too (the catalog's default is no routing default)
    expect(
      (
        await p.api('/api/platform/payments/routing/default', {
          method: 'PUT',
          json: { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' },
        })
      ).status,
    ).toBe(200);
    expect((await p.api('/api/platform/integrations/providers/praxis/deactivate', { method: 'POST' })).status).toBe(
      200,
    );
    await eventually('FR deposits answered 503', () => resolve('country=FR&direction=deposit&amount=10&currency=EUR'), {
      until: (r) => r.status === 503,
    });
    expect((await activate('praxis', {})).status).toBe(200);
    await eventually('FR deposits answered 200', () => resolve('country=FR&direction=deposit&amount=10&currency=EUR'), {
      until: (r) => r.status === 200,
    });

    const br = await putRoute('br', {
      deposit_gateway: 'bridgerpay',
      withdrawal_gateway: 'praxis',
      is_active: true,
      note: 'local acquirer',
    });
    expect(br.status).toBe(200);
    expect(await json<RouteView>(br)).toEqual({
      country: 'BR',
      deposit_gateway: 'bridgerpay',
      withdrawal_gateway: 'praxis',
      is_active: true,
      note: 'local acquirer',
      updated_at: expect.any(String),
    });
    expect((await putRoute('DE', { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' })).status).toBe(200);
    const def = await p.api('/api/platform/payments/routing/default', {
      method: 'PUT',
      json: { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' },
    });
    expect(def.status).toBe(200);
    expect(await def.json()).toEqual({ deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' });

    const list = await json<RoutingListView>(await p.api('/api/platform/payments/routing'));
    expect(list.routes.map((r) => r.country)).toEqual(['BR', 'DE']);
    expect(list.default).toEqual({ deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' });
    expect(await json<RouteView>(await p.api('/api/platform/payments/routing/de'))).toMatchObject({
      country: 'DE',
      is_active: true,
      note: null,
    });

    expect((await putRoute('IT', { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' })).status).toBe(200);
    expect((await p.api('/api/platform/payments/routing/it', { method: 'DELETE' })).status).toBe(204);
    expect((await p.api('/api/platform/payments/routing/IT')).status).toBe(404);
    expect((await p.api('/api/platform/payments/routing/IT', { method: 'DELETE' })).status).toBe(404);
  });

  it('BR deposit -> BridgerPay embed with the script URL, cashier key and token; the session carries a payload secret', async () => {
    const r = await resolved(
      `country=br&direction=deposit&amount=45.36&currency=eur&customer_id=${CUSTOMER}&email=ana@example.com&first_name=Ana`,
    );
    expect(r).toEqual({
      gateway: 'bridgerpay',
      type: 'embed',
      source: 'country',
      country: 'BR',
      direction: 'deposit',
      order_id: expect.any(String),
      script_url: 'https://embed.bridgerpay.com/connector.min.js',
      cashier_key: BP.cashierKey,
      cashier_token: expect.any(String),
    });
    const session = bridgerpay.sessions.at(-1)!;
    expect(session.cashierToken).toBe(r.cashier_token);
    expect(session.request).toMatchObject({
      order_id: r.order_id,
      amount: 45.36,
      currency: 'EUR',
      country: 'BR',
      email: 'ana@example.com',
      payload: expect.any(String),
    });
    expect(String(session.request.payload).length).toBeGreaterThanOrEqual(32);
    // the login token is reused for the next session
    await resolved('country=BR&direction=deposit&amount=10&currency=EUR');
    expect(bridgerpay.requests.filter((x) => x.path === '/v2/auth/login')).toHaveLength(1);
  });

  it('BR withdrawal -> Praxis redirect (intent withdrawal, amount in minor units, signed)', async () => {
    const r = await resolved(`country=BR&direction=withdrawal&amount=20.5&currency=BRL&customer_id=${CUSTOMER}`);
    expect(r).toEqual({
      gateway: 'praxis',
      type: 'redirect',
      source: 'country',
      country: 'BR',
      direction: 'withdrawal',
      order_id: expect.any(String),
      redirect_url: expect.stringContaining(`${praxis.baseUrl}/cashier/session/`),
    });
    expect(praxis.sessions.get(r.order_id)).toMatchObject({
      intent: 'withdrawal',
      amount: 2050,
      currency: 'BRL',
      cid: CUSTOMER,
    });
    expect(praxis.sessions.get(r.order_id)!.request.notification_url).toBe(
      'http://127.0.0.1:3000/webhooks/payments/praxis',
    );
  });

  it('DE both -> Praxis; FR (unconfigured) -> the default', async () => {
    for (const direction of ['deposit', 'withdrawal']) {
      expect(await resolved(`country=DE&direction=${direction}&amount=100&currency=EUR`)).toMatchObject({
        gateway: 'praxis',
        type: 'redirect',
        source: 'country',
      });
    }
    const fr = await resolved('country=fr&direction=deposit&amount=100&currency=EUR');
    expect(fr).toMatchObject({ gateway: 'praxis', type: 'redirect', source: 'default', country: 'FR' });
    expect(praxis.sessions.get(fr.order_id)!.intent).toBe('payment');
    // amount is optional on a resolve: Praxis gets a cashier request without one, and the customer types it
    const noAmount = await resolved('country=DE&direction=deposit&currency=EUR');
    expect(noAmount).toMatchObject({ gateway: 'praxis', type: 'redirect', source: 'country' });
    expect('amount' in praxis.sessions.get(noAmount.order_id)!.request).toBe(false);
  });

  it('an inactive BR route falls back to the default, visible to the very next resolve', async () => {
    await putRoute('BR', { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis', is_active: false });
    expect(await resolved('country=BR&direction=deposit&amount=10&currency=EUR')).toMatchObject({
      gateway: 'praxis',
      source: 'default',
    });
    await putRoute('BR', { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis', is_active: true });
    expect(await resolved('country=BR&direction=deposit&amount=10&currency=EUR')).toMatchObject({
      gateway: 'bridgerpay',
      source: 'country',
    });
  });

  it('BridgerPay deactivated in the catalog -> BR deposit falls back to the default, and back after reactivation', async () => {
    expect((await p.api('/api/platform/integrations/providers/bridgerpay/deactivate', { method: 'POST' })).status).toBe(
      200,
    );
    const fallback = await eventually(
      `BR deposits served by praxis`,
      () => resolved('country=BR&direction=deposit&amount=10&currency=EUR'),
      {
        until: (r) => r.gateway === 'praxis',
      },
    );
    expect(fallback).toMatchObject({ gateway: 'praxis', source: 'default' });
    expect((await activate('bridgerpay', {})).status).toBe(200);
    const back = await eventually(
      `BR deposits served by bridgerpay`,
      () => resolved('country=BR&direction=deposit&amount=10&currency=EUR'),
      {
        until: (r) => r.gateway === 'bridgerpay',
      },
    );
    expect(back).toMatchObject({ gateway: 'bridgerpay', source: 'country' });
  });

  it('fails over to the default gateway when BridgerPay answers 503, saying so', async () => {
    bridgerpay.failNext({
      status: 503,
      body: { response: { status: 'NOK', code: 503, message: 'service_unavailable' }, result: null },
    });
    const r = await resolved('country=BR&direction=deposit&amount=12.00&currency=EUR');
    expect(r).toMatchObject({ gateway: 'praxis', type: 'redirect', source: 'country', failover_from: 'bridgerpay' });
    expect(praxis.sessions.get(r.order_id)).toMatchObject({ amount: 1200 });
    expect(
      (await db.query('SELECT gateway, failover_from FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
        .rows[0],
    ).toEqual({ gateway: 'praxis', failover_from: 'bridgerpay' });
  });

  it('does not fail over when BridgerPay refuses (400): 422 and no Praxis call', async () => {
    const before = praxis.requests.length;
    bridgerpay.failNext({
      status: 400,
      body: {
        response: { status: 'NOK', code: 400, message: 'validation_error' },
        result: [{ field: 'amount', message: 'too low' }],
      },
    });
    const res = await resolve('country=BR&direction=deposit&amount=12&currency=EUR');
    expect(res.status).toBe(422);
    expect((await json<Problem>(res)).detail).toMatch(/bridgerpay refused/);
    expect(praxis.requests.length).toBe(before);
  });

  it('answers 502 when the gateway fails and nothing is left to fail over to', async () => {
    praxis.failNext({ status: 500, body: { status: -1, description: 'internal' } });
    const res = await resolve('country=FR&direction=deposit&amount=12&currency=EUR');
    expect(res.status).toBe(502);
    expect((await json<Problem>(res)).detail).not.toContain(PX.merchantSecret);
  });

  it('counts every outcome per gateway in the service metrics', async () => {
    const text = await (await fetch(`${p.services.get('payments')![0].url}/metrics`)).text();
    expect(text).toMatch(
      /payments_gateway_resolutions_total\{[^}]*gateway="bridgerpay"[^}]*outcome="failover"[^}]*\} 1/,
    );
    expect(text).toMatch(
      /payments_gateway_resolutions_total\{[^}]*gateway="bridgerpay"[^}]*outcome="refused"[^}]*\} 1/,
    );
    expect(text).toMatch(/payments_gateway_resolutions_total\{[^}]*gateway="praxis"[^}]*outcome="failed"[^}]*\} 1/);
    expect(text).toMatch(
      /payments_cashier_session_attempts_total\{[^}]*gateway="bridgerpay"[^}]*outcome="provider_error"[^}]*\} 1/,
    );
    expect(text).not.toContain(BP.password);
  });

  describe('callbacks', () => {
    it('a valid Praxis approval sent five times at once yields exactly one deposit event and five signed replies', async () => {
      const r = await resolved(`country=DE&direction=deposit&amount=100.00&currency=EUR&customer_id=${CUSTOMER}`);
      praxis.settle(r.order_id, 'approved');
      const note = praxis.notification(r.order_id);
      const answers = await Promise.all(Array.from({ length: 5 }, () => webhook('praxis', note.body, note.headers)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(praxis.acceptsReply(await a.text(), a.headers.get('gt-authentication') ?? undefined)).toBe(true);
      }
      const events = await eventually('the deposit event', () => deposits.filter((e) => e.order_id === r.order_id), {
        until: (xs) => xs.length >= 1,
      });
      await sleep(500);
      expect(deposits.filter((e) => e.order_id === r.order_id)).toHaveLength(1);
      const tid = String(praxis.sessions.get(r.order_id)!.transaction!.tid);
      expect(events[0]).toEqual({
        order_id: r.order_id,
        direction: 'deposit',
        customer_id: CUSTOMER,
        country: 'DE',
        amount: '100.00',
        currency: 'EUR',
        gateway: 'praxis',
        provider_transaction_id: tid,
        approved_at: expect.any(String),
      });
      expect(
        await count(
          `SELECT count(*)::int AS n FROM payments.outbox WHERE subject = 'evt.payments.deposit.approved' AND payload->>'order_id' = $1`,
          [r.order_id],
        ),
      ).toBe(1);
      const history = await db.query(
        'SELECT status, provider_status FROM payments.session_status_history WHERE session_id = $1 ORDER BY id',
        [r.order_id],
      );
      expect(history.rows).toEqual([
        { status: 'pending', provider_status: null },
        { status: 'approved', provider_status: 'approved' },
      ]);
      expect(
        (await db.query('SELECT status FROM payments.payment_transactions WHERE provider_transaction_id = $1', [tid]))
          .rows,
      ).toEqual([{ status: 'approved' }]);

      // out of order: a late `pending` is recorded but moves nothing
      praxis.settle(r.order_id, 'pending');
      const late = praxis.notification(r.order_id, Math.floor(Date.now() / 1000) + 1);
      expect((await webhook('praxis', late.body, late.headers)).status).toBe(200);
      expect(
        (await db.query<{ status: string }>('SELECT status FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
          .rows[0].status,
      ).toBe('approved');
      expect(
        (
          await db.query(
            'SELECT applied FROM payments.payment_notifications WHERE session_id = $1 ORDER BY received_at',
            [r.order_id],
          )
        ).rows,
      ).toEqual([{ applied: true }, { applied: false }]);
    });

    it('refuses a Praxis notification with a wrong signature: 401, nothing stored', async () => {
      const r = await resolved('country=DE&direction=deposit&amount=5&currency=EUR');
      praxis.settle(r.order_id, 'approved');
      const note = praxis.notification(r.order_id);
      const before = await count('SELECT count(*)::int AS n FROM payments.payment_notifications');
      const forged = await webhook('praxis', note.body, { ...note.headers, 'gt-authentication': 'f'.repeat(96) });
      expect(forged.status).toBe(401);
      expect(forged.headers.get('content-type')).toMatch(/problem\+json/);
      const tampered = Buffer.from(note.body.toString().replaceAll('"amount":500', '"amount":50000'));
      expect((await webhook('praxis', tampered, note.headers)).status).toBe(401);
      expect((await webhook('praxis', note.body, { 'content-type': 'application/json' })).status).toBe(401);
      expect(await count('SELECT count(*)::int AS n FROM payments.payment_notifications')).toBe(before);
      expect(
        (await db.query<{ status: string }>('SELECT status FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
          .rows[0].status,
      ).toBe('pending');
    });

    it('ignores a captured Praxis notification replayed with an edited (unsigned) status', async () => {
      const r = await resolved('country=DE&direction=deposit&amount=7&currency=EUR');
      praxis.settle(r.order_id, 'pending');
      const pending = praxis.notification(r.order_id);
      expect((await webhook('praxis', pending.body, pending.headers)).status).toBe(200);
      const edited = Buffer.from(
        pending.body.toString().replace('"transaction_status":"pending"', '"transaction_status":"approved"'),
      );
      expect(edited.toString()).toContain('"transaction_status":"approved"');
      expect((await webhook('praxis', edited, pending.headers)).status).toBe(200); // the signature still verifies
      expect(
        (await db.query<{ status: string }>('SELECT status FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
          .rows[0].status,
      ).toBe('pending');
      expect(
        await count(`SELECT count(*)::int AS n FROM payments.outbox WHERE payload->>'order_id' = $1`, [r.order_id]),
      ).toBe(0);
    });

    it('a Praxis withdrawal approval becomes evt.payments.withdrawal.approved', async () => {
      const r = await resolved(`country=BR&direction=withdrawal&amount=20&currency=BRL&customer_id=${CUSTOMER}`);
      praxis.settle(r.order_id, 'approved');
      // Praxis writes conversion_rate as a number with decimals (1.00000) here: signed over that text
      const note = praxis.notification(r.order_id, undefined, { numericConversionRate: true });
      expect(note.body.toString()).toContain('"conversion_rate":1.00000');
      expect((await webhook('praxis', note.body, note.headers)).status).toBe(200);
      const got = await eventually('the withdrawal event', () => withdrawals.filter((e) => e.order_id === r.order_id), {
        until: (xs) => xs.length === 1,
      });
      expect(got[0]).toMatchObject({
        direction: 'withdrawal',
        country: 'BR',
        amount: '20.00',
        currency: 'BRL',
        gateway: 'praxis',
        customer_id: CUSTOMER,
      });
      expect(deposits.some((e) => e.order_id === r.order_id)).toBe(false);
    });

    it('BridgerPay: a wrong meta.payload or a mismatched amount is refused; the genuine approval is applied once', async () => {
      const r = await resolved(`country=BR&direction=deposit&amount=45.36&currency=EUR&customer_id=${CUSTOMER}`);
      const genuine = bridgerpay.notification(r.order_id, 'approved');
      // the per-session secret BridgerPay echoes is kept only as its SHA-256
      const secret = (JSON.parse(genuine.body.toString()) as { meta: { payload: string } }).meta.payload;
      const [stored] = (
        await db.query<{ d: string }>(
          'SELECT session_secret_sha256 AS d FROM payments.cashier_sessions WHERE id = $1',
          [r.order_id],
        )
      ).rows;
      expect(stored.d).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(JSON.stringify((await db.query('SELECT * FROM payments.cashier_sessions')).rows)).not.toContain(secret);
      type Notification = { meta: { payload: string }; data: { charge: { attributes: { amount: number } } } };
      const edit = (f: (b: Notification) => void) => {
        const b = JSON.parse(genuine.body.toString()) as Notification;
        f(b);
        return Buffer.from(JSON.stringify(b));
      };
      const before = await count('SELECT count(*)::int AS n FROM payments.payment_notifications');
      expect(
        (
          await webhook(
            'bridgerpay',
            edit((b) => {
              b.meta.payload = 'guessed-payload';
            }),
            genuine.headers,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await webhook(
            'bridgerpay',
            edit((b) => {
              b.data.charge.attributes.amount = 4536;
            }),
            genuine.headers,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await webhook(
            'bridgerpay',
            edit((b) => {
              delete (b.meta as Partial<typeof b.meta>).payload;
            }),
            genuine.headers,
          )
        ).status,
      ).toBe(401);
      expect(await count('SELECT count(*)::int AS n FROM payments.payment_notifications')).toBe(before);
      expect(deposits.some((e) => e.order_id === r.order_id)).toBe(false);

      const init = bridgerpay.notification(r.order_id, 'cashier.session.init', 'pending');
      expect((await webhook('bridgerpay', init.body, init.headers)).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await webhook('bridgerpay', genuine.body, genuine.headers)).status).toBe(200);
      const close = bridgerpay.notification(r.order_id, 'cashier.session.close', 'approved');
      expect((await webhook('bridgerpay', close.body, close.headers)).status).toBe(200);
      const got = await eventually('the deposit event', () => deposits.filter((e) => e.order_id === r.order_id), {
        until: (xs) => xs.length >= 1,
      });
      await sleep(500);
      expect(deposits.filter((e) => e.order_id === r.order_id)).toHaveLength(1);
      expect(got[0]).toMatchObject({
        gateway: 'bridgerpay',
        amount: '45.36',
        currency: 'EUR',
        country: 'BR',
        customer_id: CUSTOMER,
      });
      expect(
        (await db.query<{ status: string }>('SELECT status FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
          .rows[0].status,
      ).toBe('approved');
    });

    it('a BridgerPay decline maps to declined and emits nothing; an unknown order is 401 (unsigned: nothing proves it), nothing stored', async () => {
      const r = await resolved('country=BR&direction=deposit&amount=7&currency=EUR');
      const declined = bridgerpay.notification(r.order_id, 'declined');
      expect((await webhook('bridgerpay', declined.body, declined.headers)).status).toBe(200);
      expect(
        (await db.query<{ status: string }>('SELECT status FROM payments.cashier_sessions WHERE id = $1', [r.order_id]))
          .rows[0].status,
      ).toBe('declined');
      const unknown = Buffer.from(
        declined.body.toString().split(r.order_id).join('00000000-0000-4000-8000-000000000000'),
      );
      const before = await count('SELECT count(*)::int AS n FROM payments.payment_notifications');
      const forged = await webhook('bridgerpay', unknown, declined.headers);
      expect(forged.status).toBe(401);
      expect(forged.headers.get('content-type')).toMatch(/problem\+json/);
      const notUuid = Buffer.from(declined.body.toString().split(r.order_id).join('ORD-guess'));
      expect((await webhook('bridgerpay', notUuid, declined.headers)).status).toBe(401);
      expect(await count('SELECT count(*)::int AS n FROM payments.payment_notifications')).toBe(before);
      expect((await webhook('bridgerpay', 'not json', { 'content-type': 'application/json' })).status).toBe(401);
    });
  });

  describe('routing served from memory on every replica', () => {
    it('reads come from memory, not Postgres', async () => {
      await putRoute('PT', { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis', note: 'memory' });
      await db.query(`DELETE FROM payments.routes WHERE country = 'PT'`);
      expect(await json<RouteView>(await p.api('/api/platform/payments/routing/PT'))).toMatchObject({
        country: 'PT',
        note: 'memory',
      });
      expect(await resolved('country=PT&direction=deposit&amount=1&currency=EUR')).toMatchObject({ source: 'country' });
    });

    it('a change made through one replica is visible to the next request on any replica', async () => {
      await p.startReplica('payments');
      for (let i = 0; i < 6; i++) {
        const deposit = i % 2 ? 'praxis' : 'bridgerpay';
        expect(
          (await putRoute('ES', { deposit_gateway: deposit, withdrawal_gateway: 'praxis', note: `v${i}` })).status,
        ).toBe(200);
        for (let j = 0; j < 4; j++) {
          expect(await json<RouteView>(await p.api('/api/platform/payments/routing/ES'))).toMatchObject({
            deposit_gateway: deposit,
            note: `v${i}`,
          });
        }
        expect(await resolved('country=ES&direction=deposit&amount=1&currency=EUR')).toMatchObject({
          gateway: deposit,
          source: 'country',
        });
      }
    });
  });
});
