import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface PraxisFakeCredentials {
  merchantId: string;
  applicationKey: string;
  merchantSecret: string;
}

export interface PraxisFakeSession {
  auth_token: string;
  intent: 'payment' | 'withdrawal' | 'authorization';
  session_status: string;
  order_id: string;
  cid: string;
  currency: string;
  /** null when the merchant left the amount to the customer (Praxis's `amount` is optional). */
  amount: number | null;
  customer_token: string;
  notification_url?: string;
  request: Record<string, unknown>;
  transaction: Record<string, unknown> | null;
}

/** Signature field orders, written out here again so a connector bug is not mirrored by the fake. */
const REQUEST_FIELDS = ['merchant_id', 'application_key', 'timestamp', 'intent', 'cid', 'order_id'];
const FIND_ORDER_FIELDS = ['merchant_id', 'application_key', 'timestamp', 'order_id'];
const CASHIER_RESPONSE_FIELDS = ['status', 'timestamp', 'redirect_url', 'customer.customer_token'];
// Not documented in what we have for find-order responses: same values as a notification, after status.
const FIND_ORDER_RESPONSE_FIELDS = [
  'status',
  'timestamp',
  'customer.customer_token',
  'session.order_id',
  'transaction.tid',
  'transaction.currency',
  'transaction.amount',
  'transaction.conversion_rate',
  'transaction.processed_currency',
  'transaction.processed_amount',
];
const NOTIFICATION_FIELDS = [
  'merchant_id',
  'application_key',
  'timestamp',
  'customer.customer_token',
  'session.order_id',
  'transaction.tid',
  'transaction.currency',
  'transaction.amount',
  'transaction.conversion_rate',
  'transaction.processed_currency',
  'transaction.processed_amount',
];
/** Praxis refuses timestamps from the future or 60 s old and more. */
const MAX_AGE_S = 60;

/**
 * Praxis Cashier API v1.3 fake (docs/providers/praxis.md): `POST /cashier/cashier` (deposit and withdrawal
 * sessions) and Agent API `POST /agent/find-order`, both GT-Authentication-checked; signed answers;
 * Praxis's `{status, description}` errors (HTTP 200, no signature header on errors, as documented).
 */
export class PraxisFake extends FakeServer {
  readonly sessions = new Map<string, PraxisFakeSession>();

  constructor(private readonly creds: PraxisFakeCredentials) {
    super();
    this.route('POST', /^\/cashier\/cashier$/, (r) => this.authed(r, REQUEST_FIELDS, (b) => this.cashier(b)));
    this.route('POST', /^\/agent\/find-order$/, (r) => this.authed(r, FIND_ORDER_FIELDS, (b) => this.findOrder(b)));
  }

  sign(obj: unknown, fields: readonly string[]): string {
    const h = createHash('sha384');
    for (const f of fields) {
      const v = f
        .split('.')
        .reduce<unknown>(
          (cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined),
          obj,
        );
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') h.update(String(v));
    }
    return h.update(this.creds.merchantSecret).digest('hex');
  }

  /** Moves an order to a transaction status, as the PSP would (e.g. approved, rejected, cancelled). */
  settle(orderId: string, transactionStatus: string, extra: Record<string, unknown> = {}): PraxisFakeSession {
    const s = this.sessions.get(orderId);
    if (!s) throw new Error(`no Praxis session for ${orderId}`);
    s.session_status =
      transactionStatus === 'approved'
        ? 'successful'
        : ['rejected', 'cancelled', 'error'].includes(transactionStatus)
          ? 'failed'
          : 'action required';
    s.transaction = {
      transaction_type: s.intent === 'withdrawal' ? 'payout' : 'sale',
      transaction_status: transactionStatus,
      tid: s.transaction?.tid ?? Math.floor(100000 + Math.random() * 900000),
      transaction_id: `psp-${randomBytes(6).toString('hex')}`,
      currency: s.currency,
      amount: s.amount,
      conversion_rate: '1.00000',
      processed_currency: s.currency,
      processed_amount: s.amount,
      fee: 0,
      fee_included: 0,
      fee_type: 'flat',
      payment_method: 'Credit Card',
      payment_processor: 'FakePSP',
      gateway: 'fake-gateway-hash',
      card: {
        card_token: randomBytes(8).toString('hex'),
        card_type: 'VISA',
        card_number: '411111******1111',
        card_exp: '12/2030',
        card_issuer_name: 'Fake Bank',
        card_holder: 'Test Holder',
      },
      ...extra,
    };
    return s;
  }

  /**
   * The notification Praxis POSTs to `notification_url`: exact body and its GT-Authentication. Praxis
   * sends `conversion_rate` either as a string or as a JSON number written with its decimals
   * (`1.00000`); `numericConversionRate` sends the latter, signed over the literal text as Praxis does.
   */
  notification(
    orderId: string,
    timestampS = Math.floor(Date.now() / 1000),
    opts: { numericConversionRate?: boolean } = {},
  ): { body: Buffer; headers: Record<string, string> } {
    const s = this.sessions.get(orderId);
    if (!s) throw new Error(`no Praxis session for ${orderId}`);
    const payload = {
      merchant_id: this.creds.merchantId,
      application_key: this.creds.applicationKey,
      conversion_rate: '1.00000',
      customer: {
        customer_token: s.customer_token,
        first_name: null,
        last_name: null,
        avs_alert: 0,
        verification_alert: 0,
      },
      session: {
        auth_token: s.auth_token,
        intent: s.intent,
        session_status: s.session_status,
        order_id: s.order_id,
        currency: s.currency,
        amount: s.amount,
        conversion_rate: '1.00000',
        processed_currency: s.currency,
        processed_amount: s.amount,
        payment_method: 'Credit Card',
        gateway: 'fake-gateway-hash',
        pin: s.cid,
        variable1: s.request.variable1 ?? null,
        variable2: s.request.variable2 ?? null,
        variable3: s.request.variable3 ?? null,
      },
      transaction: s.transaction,
      version: '1.3',
      timestamp: timestampS,
    };
    let text = JSON.stringify(payload);
    // JSON.stringify cannot write 1.00000 as a number: unquote the decimal strings in the text itself
    if (opts.numericConversionRate)
      text = text.replace(/"conversion_rate":"(-?\d+(?:\.\d+)?)"/g, '"conversion_rate":$1');
    return {
      body: Buffer.from(text, 'utf8'),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'gt-authentication': this.sign(payload, NOTIFICATION_FIELDS),
      },
    };
  }

  /** Whether a merchant's reply to a notification would stop Praxis from resending it. */
  acceptsReply(body: string, gtAuthentication: string | undefined): boolean {
    let reply: { status?: unknown; timestamp?: unknown };
    try {
      reply = JSON.parse(body) as typeof reply;
    } catch {
      return false;
    }
    return (
      reply.status === 0 &&
      typeof reply.timestamp === 'number' &&
      gtAuthentication === this.sign(reply, ['status', 'timestamp'])
    );
  }

  private error(status: number, description: string): FakeReply {
    return { status: 200, body: { status, description, version: '1.3', timestamp: Math.floor(Date.now() / 1000) } };
  }

  private signed(body: Record<string, unknown>, fields: readonly string[]): FakeReply {
    return {
      status: 200,
      body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'gt-authentication': this.sign(body, fields) },
    };
  }

  private authed(
    req: RecordedRequest,
    fields: readonly string[],
    handle: (b: Record<string, unknown>) => FakeReply,
  ): FakeReply {
    let b: Record<string, unknown>;
    try {
      b = this.json(req);
    } catch {
      return this.error(400, 'Bad request');
    }
    const refuse = (status: number, description: string) => {
      req.rejected = true;
      return this.error(status, description);
    };
    const header = req.headers['gt-authentication'];
    if (typeof header !== 'string' || !header) return refuse(400, 'GT-Authentication header is missing.');
    const ts = b.timestamp;
    const now = Date.now() / 1000;
    if (typeof ts !== 'number' || !Number.isInteger(ts) || ts > now + 1 || now - ts >= MAX_AGE_S)
      return refuse(400, 'Timestamp invalid');
    const expected = Buffer.from(this.sign(b, fields));
    const given = Buffer.from(header);
    if (
      b.merchant_id !== this.creds.merchantId ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    )
      return refuse(401, 'Account not found');
    if (b.application_key !== this.creds.applicationKey) return refuse(401, 'Website not found');
    if (b.version !== '1.3') return this.error(400, 'Input validation failed');
    return handle(b);
  }

  private cashier(b: Record<string, unknown>): FakeReply {
    const intent = b.intent;
    const valid =
      (intent === 'payment' || intent === 'withdrawal' || intent === 'authorization') &&
      typeof b.cid === 'string' &&
      b.cid !== '' &&
      typeof b.order_id === 'string' &&
      b.order_id !== '' &&
      typeof b.currency === 'string' &&
      /^[A-Z]{3}$/.test(b.currency) &&
      (b.amount === undefined || (Number.isInteger(b.amount) && (b.amount as number) > 0));
    if (!valid) return this.error(400, 'Input validation failed');
    const orderId = b.order_id as string;
    if (this.sessions.has(orderId)) return this.error(400, 'The order_id value is not unique!');
    const previous = [...this.sessions.values()].find((s) => s.cid === b.cid);
    const s: PraxisFakeSession = {
      auth_token: randomBytes(16).toString('hex'),
      intent,
      session_status: 'created',
      order_id: orderId,
      cid: b.cid as string,
      currency: b.currency as string,
      amount: typeof b.amount === 'number' ? b.amount : null,
      customer_token: previous?.customer_token ?? randomBytes(16).toString('hex'),
      notification_url: typeof b.notification_url === 'string' ? b.notification_url : undefined,
      request: b,
      transaction: null,
    };
    this.sessions.set(orderId, s);
    const body = {
      status: 0,
      description: 'Ok',
      redirect_url: `${this.baseUrl}/cashier/session/${s.auth_token}`,
      customer: { customer_token: s.customer_token, avs_alert: 0, verification_alert: 0 },
      session: {
        auth_token: s.auth_token,
        intent: s.intent,
        session_status: s.session_status,
        order_id: orderId,
        currency: s.currency,
        amount: s.amount,
        processed_currency: null,
        processed_amount: null,
        cid: s.cid,
      },
      version: '1.3',
      timestamp: Math.floor(Date.now() / 1000),
    };
    return this.signed(body, CASHIER_RESPONSE_FIELDS);
  }

  private findOrder(b: Record<string, unknown>): FakeReply {
    const s = typeof b.order_id === 'string' ? this.sessions.get(b.order_id) : undefined;
    if (!s) return this.error(400, 'Order not found');
    const body = {
      status: 0,
      description: 'Ok',
      customer: { customer_token: s.customer_token, avs_alert: 0, verification_alert: 0 },
      session: {
        auth_token: s.auth_token,
        intent: s.intent,
        session_status: s.session_status,
        order_id: s.order_id,
        currency: s.currency,
        amount: s.amount,
        cid: s.cid,
      },
      transaction: s.transaction,
      version: '1.3',
      timestamp: Math.floor(Date.now() / 1000),
    };
    return this.signed(body, FIND_ORDER_RESPONSE_FIELDS);
  }
}
