import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';

import { BridgerpayFake } from '@app/connectors/providers/bridgerpay/bridgerpay.fake';
import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import type { PaymentApprovedEvent, ResolutionView } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';
import { activatePaymentProviders, putPaymentRoute } from './payment-providers';

const BP = {
  username: 'bp-trust-user',
  password: 'bp-trust-password-1',
  apiKey: 'bp-trust-api-key',
  cashierKey: 'bp-trust-cashier',
};
const PX = {
  merchantId: 'API-merchant-trust',
  applicationKey: 'app-key-trust',
  merchantSecret: 'praxis-trust-secret-QRS',
};

interface Parked {
  gateway: string;
  session_id: string | null;
  reason: string;
  provider_status: string;
  payload: unknown;
}

/**
 * Captured provider notifications sent back to us: re-cased, with another unsigned status, with digits
 * shifted across Praxis's unseparated signed fields, out of order, or disagreeing with the order.
 * None may approve, refund or change the amount of an order; what is answered 200 and not applied is
 * parked where an operator sees it.
 */
describe('payment callbacks: replay, forgery and per-order de-duplication (real NATS and Postgres, provider fakes)', () => {
  let p: Platform;
  let bridgerpay: BridgerpayFake;
  let praxis: PraxisFake;
  let nc: NatsConnection;
  let db: Client;
  const deposits: PaymentApprovedEvent[] = [];

  const resolved = async (query: string) => {
    const res = await p.api(`/payments/gateway?${query}`);
    const body = await res.json();
    if (res.status !== 200) throw new Error(`resolve ${query}: ${res.status} ${JSON.stringify(body)}`);
    return body as ResolutionView;
  };
  const webhook = (provider: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${p.gateway.url}/webhooks/payments/${provider}`, { method: 'POST', body, headers });
  const status = async (orderId: string) =>
    (
      (await db.query('SELECT status FROM payments.cashier_sessions WHERE id = $1', [orderId])).rows[0] as {
        status: string;
      }
    ).status;
  const parked = async (orderId: string) =>
    (await db.query('SELECT * FROM payments.parked_notifications WHERE session_id = $1 ORDER BY id', [orderId]))
      .rows as Parked[];
  const outboxFor = async (orderId: string) =>
    (
      (await db.query(`SELECT count(*)::int AS n FROM payments.outbox WHERE payload->>'order_id' = $1`, [orderId]))
        .rows[0] as { n: number }
    ).n;
  const metrics = async () => (await fetch(`${p.services.get('payments')![0].url}/metrics`)).text();
  const upper = (h: Record<string, string>) => ({ ...h, 'gt-authentication': h['gt-authentication'].toUpperCase() });
  /** The same body with one edit inside `transaction` only (the session object repeats some of its text). */
  const editTransaction = (body: Buffer, edit: (transactionText: string) => string) => {
    const text = body.toString();
    const at = text.indexOf('"transaction":{');
    const edited = text.slice(0, at) + edit(text.slice(at));
    expect(edited).not.toBe(text);
    return Buffer.from(edited);
  };
  const acceptedByPraxis = async (res: Response) => {
    expect(res.status).toBe(200);
    expect(praxis.acceptsReply(await res.text(), res.headers.get('gt-authentication') ?? undefined)).toBe(true);
  };

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
    await nc.flush();
    db = new Client({ connectionString: p.infra.databaseUrl });
    await db.connect();
    await activatePaymentProviders(
      p,
      { creds: BP, baseUrl: bridgerpay.baseUrl },
      { creds: PX, baseUrl: praxis.baseUrl },
    );
    await putPaymentRoute(p, 'BR', { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis' });
    await putPaymentRoute(p, 'DE', { deposit_gateway: 'praxis', withdrawal_gateway: 'praxis' });
  });
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await p?.stop();
    await bridgerpay?.stop();
    await praxis?.stop();
  });

  describe('Praxis', () => {
    it('a captured pending re-sent as approved with the signature in upper case is parked, not applied; an exact re-cased repeat is a duplicate', async () => {
      const r = await resolved('country=DE&direction=deposit&amount=100.00&currency=USD');
      praxis.settle(r.order_id, 'pending');
      const pending = praxis.notification(r.order_id);
      await acceptedByPraxis(await webhook('praxis', pending.body, pending.headers));

      const approved = Buffer.from(
        pending.body.toString().replace('"transaction_status":"pending"', '"transaction_status":"approved"'),
      );
      // answered as Praxis expects, so it stops resending, but nothing moves
      await acceptedByPraxis(await webhook('praxis', approved, upper(pending.headers)));
      expect(await status(r.order_id)).toBe('pending');
      expect(await outboxFor(r.order_id)).toBe(0);
      const rows = await parked(r.order_id);
      expect(rows).toEqual([
        expect.objectContaining({
          gateway: 'praxis',
          session_id: r.order_id,
          reason: 'signature_reused',
          provider_status: 'approved',
        }),
      ]);
      // the parked copy shows an operator what came, without the card token or the customer token
      const card = praxis.sessions.get(r.order_id)!.transaction!.card as { card_token: string };
      expect(rows[0].payload).toMatchObject({
        transaction: { transaction_status: 'approved', amount: 10000 },
        session: { order_id: r.order_id },
      });
      expect(JSON.stringify(rows[0].payload)).not.toContain(card.card_token);
      expect(JSON.stringify(rows[0].payload)).not.toContain(praxis.sessions.get(r.order_id)!.customer_token);

      // the genuine notification again, signature in another case spelling: a duplicate, not parked again
      await acceptedByPraxis(await webhook('praxis', pending.body, upper(pending.headers)));
      expect(await parked(r.order_id)).toHaveLength(1);
      expect(
        (
          (
            await db.query('SELECT count(*)::int AS n FROM payments.payment_notifications WHERE session_id = $1', [
              r.order_id,
            ])
          ).rows[0] as { n: number }
        ).n,
      ).toBe(1);

      const text = await metrics();
      expect(text).toMatch(
        /payments_callbacks_parked_total\{[^}]*provider="praxis"[^}]*reason="signature_reused"[^}]*\} 1/,
      );
      const warn = p.logs
        .entries()
        .find((e) => e.msg === 'payment notification parked for an operator' && e.order_id === r.order_id);
      expect(warn).toMatchObject({ level: 'warn', reason: 'signature_reused', gateway: 'praxis' });
      expect(p.logs.text()).not.toContain(PX.merchantSecret);
    });

    it('a captured approval replayed as a refund or a chargeback changes nothing', async () => {
      const r = await resolved('country=DE&direction=deposit&amount=50.00&currency=USD');
      praxis.settle(r.order_id, 'approved');
      const approval = praxis.notification(r.order_id);
      await acceptedByPraxis(await webhook('praxis', approval.body, approval.headers));
      await eventually('the deposit event', () => deposits.find((e) => e.order_id === r.order_id));
      for (const edited of ['refund', 'chargeback']) {
        const body = Buffer.from(
          approval.body.toString().replace('"transaction_status":"approved"', `"transaction_status":"${edited}"`),
        );
        await acceptedByPraxis(await webhook('praxis', body, upper(approval.headers)));
      }
      expect(await status(r.order_id)).toBe('approved');
      expect((await parked(r.order_id)).map((x) => [x.reason, x.provider_status])).toEqual([
        ['signature_reused', 'refund'],
        ['signature_reused', 'chargeback'],
      ]);

      // a genuine chargeback (its own signed timestamp) applies, and its replay does not apply twice
      praxis.settle(r.order_id, 'chargeback');
      const chargeback = praxis.notification(r.order_id, Math.floor(Date.now() / 1000) + 1);
      await acceptedByPraxis(await webhook('praxis', chargeback.body, chargeback.headers));
      expect(await status(r.order_id)).toBe('refunded');
      await acceptedByPraxis(await webhook('praxis', chargeback.body, upper(chargeback.headers)));
      const history = await db.query(
        'SELECT status, flag FROM payments.session_status_history WHERE session_id = $1 ORDER BY id',
        [r.order_id],
      );
      expect(history.rows).toEqual([
        { status: 'pending', flag: null },
        { status: 'approved', flag: null },
        { status: 'refunded', flag: 'chargeback' },
      ]);
      expect(deposits.filter((e) => e.order_id === r.order_id)).toHaveLength(1);
    });

    it('digits shifted between amount and conversion_rate (same signature) cannot approve an order with no stored amount', async () => {
      const r = await resolved('country=DE&direction=deposit&currency=USD');
      praxis.settle(r.order_id, 'pending', { amount: 10000, processed_amount: 10000 });
      const pending = praxis.notification(r.order_id);
      expect(pending.body.toString()).toContain('"amount":10000,"conversion_rate":"1.00000"');
      await acceptedByPraxis(await webhook('praxis', pending.body, pending.headers));

      // amount 10000 + rate "1.00000" signs exactly as amount 100001 + rate ".00000"
      const shifted = editTransaction(pending.body, (t) =>
        t
          .replace('"amount":10000,"conversion_rate":"1.00000"', '"amount":100001,"conversion_rate":".00000"')
          .replace('"transaction_status":"pending"', '"transaction_status":"approved"'),
      );
      const res = await webhook('praxis', shifted, upper(pending.headers));
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toContain('transaction.conversion_rate');
      expect(await status(r.order_id)).toBe('pending');
      expect(await outboxFor(r.order_id)).toBe(0);
    });

    it('an amount or currency that disagrees with the stored order is parked and answered with status 0', async () => {
      for (const [extra, reason] of [
        [{ amount: 100001, processed_amount: 100001 }, 'amount_mismatch'],
        [{ currency: 'EUR', processed_currency: 'EUR' }, 'currency_mismatch'],
      ] as const) {
        const r = await resolved('country=DE&direction=deposit&amount=100.00&currency=USD');
        praxis.settle(r.order_id, 'approved', extra);
        const note = praxis.notification(r.order_id);
        await acceptedByPraxis(await webhook('praxis', note.body, note.headers));
        expect(await status(r.order_id)).toBe('pending');
        expect(await outboxFor(r.order_id)).toBe(0);
        expect((await parked(r.order_id)).map((x) => x.reason)).toEqual([reason]);
        // Praxis resending it (as after a lost reply) parks nothing more
        await acceptedByPraxis(await webhook('praxis', note.body, note.headers));
        expect(await parked(r.order_id)).toHaveLength(1);
      }
      expect(await metrics()).toMatch(
        /payments_callbacks_parked_total\{[^}]*provider="praxis"[^}]*reason="amount_mismatch"[^}]*\} 1/,
      );
    });

    it('a notification signed earlier than the last one applied changes history only', async () => {
      const r = await resolved('country=DE&direction=deposit&amount=30.00&currency=USD');
      const now = Math.floor(Date.now() / 1000);
      praxis.settle(r.order_id, 'rejected');
      const declined = praxis.notification(r.order_id, now);
      praxis.settle(r.order_id, 'approved');
      const earlier = praxis.notification(r.order_id, now - 5);
      await acceptedByPraxis(await webhook('praxis', declined.body, declined.headers));
      expect(await status(r.order_id)).toBe('declined');
      // an approval may follow a decline, but not one Praxis signed before that decline
      await acceptedByPraxis(await webhook('praxis', earlier.body, earlier.headers));
      expect(await status(r.order_id)).toBe('declined');
      expect(await outboxFor(r.order_id)).toBe(0);
      const seen = await db.query(
        'SELECT provider_status, applied FROM payments.payment_notifications WHERE session_id = $1 ORDER BY received_at',
        [r.order_id],
      );
      expect(seen.rows).toEqual([
        { provider_status: 'rejected', applied: true },
        { provider_status: 'approved', applied: false },
      ]);
      // a later-signed approval still applies
      const later = praxis.notification(r.order_id, now + 5);
      await acceptedByPraxis(await webhook('praxis', later.body, later.headers));
      expect(await status(r.order_id)).toBe('approved');
    });
  });

  describe('BridgerPay', () => {
    it('de-duplicates per order: two orders approved (notifications without charge ids) are both credited', async () => {
      const orders = [
        await resolved('country=BR&direction=deposit&amount=10.00&currency=EUR'),
        await resolved('country=BR&direction=deposit&amount=11.00&currency=EUR'),
      ];
      for (const r of orders) {
        const n = bridgerpay.notification(r.order_id, 'approved');
        const b = JSON.parse(n.body.toString()) as { data: { charge: Record<string, unknown> } };
        for (const k of ['id', 'uuid', 'psp_order_id']) delete b.data.charge[k];
        const res = await webhook('bridgerpay', JSON.stringify(b), n.headers);
        expect(res.status).toBe(200);
      }
      for (const r of orders) {
        expect(await status(r.order_id)).toBe('approved');
        await eventually(`the deposit event of ${r.order_id}`, () => deposits.find((e) => e.order_id === r.order_id));
      }
    });

    it('a body of null is 401, not a 500', async () => {
      const res = await webhook('bridgerpay', 'null', { 'content-type': 'application/json' });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    });
  });
});
