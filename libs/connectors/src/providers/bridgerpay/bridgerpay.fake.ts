import { createHmac, randomBytes, randomUUID } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface BridgerpayFakeCredentials {
  username: string;
  password: string;
  apiKey: string;
  cashierKey: string;
}

export interface BridgerpayFakeSession {
  cashierToken: string;
  sessionId: string;
  request: Record<string, unknown>;
}

const TOKEN_TTL_S = 7200;

/**
 * BridgerPay API fake (docs/providers/bridgerpay.md), under both /v1 and /v2: login with user_name/password
 * issuing a JWT-shaped bearer token (7200 s), cashier session creation with the API key in the path,
 * and the `{response:{status,code,message}, result}` envelope (403 `login_failue` included).
 * Notifications are unsigned, as BridgerPay's are; `notification()` builds one.
 */
export class BridgerpayFake extends FakeServer {
  readonly sessions: BridgerpayFakeSession[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly jwtKey = randomBytes(32);

  constructor(private readonly creds: BridgerpayFakeCredentials) {
    super();
    this.route('POST', /^\/v[12]\/auth\/login$/, (r) => this.login(r));
    this.route('POST', /^\/v[12]\/cashier\/session\/create\/[^/]+$/, (r) => this.createSession(r));
  }

  /** Makes every issued token stale, as after 7200 s. */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  /** A notification as BridgerPay POSTs it for a session's order (no signature: only meta.payload echoes). */
  notification(
    orderId: string,
    type: string,
    status = type,
    extra: Record<string, unknown> = {},
  ): { body: Buffer; headers: Record<string, string> } {
    const s = this.sessions.find((x) => x.request.order_id === orderId);
    if (!s) throw new Error(`no BridgerPay session for ${orderId}`);
    const r = s.request;
    const payload = {
      webhook: { type },
      data: {
        order_id: orderId,
        psp_name: 'FakePSP',
        charge: {
          type,
          id: randomUUID(),
          uuid: randomUUID(),
          psp_order_id: `psp-${randomBytes(5).toString('hex')}`,
          operation_type: 'deposit',
          is_refundable: status === 'approved',
          attributes: {
            status,
            amount: r.amount ?? null,
            currency: r.currency,
            payment_method: 'credit_card',
            decline_code: null,
            decline_reason: status === 'declined' ? 'Do not honor' : null,
            created_at: Math.floor(Date.now() / 1000),
            updated_at: Math.floor(Date.now() / 1000),
            source: {
              email: r.email ?? null,
              ip_address: '203.0.113.7',
              name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
            },
            card_masked_number: '411111******1111',
            card_brand: 'visa',
            live_mode: false,
            is3_d: false,
          },
        },
        ...extra,
      },
      meta: {
        server_time: new Date().toISOString(),
        server_timezone: 'UTC',
        api_version: 'v2',
        payload: r.payload ?? null,
        cashier_session_id: s.sessionId,
        platform_id: r.platform_id ?? null,
        tracking_id: r.tracking_id ?? null,
        affiliate_id: r.affiliate_id ?? null,
      },
    };
    return { body: Buffer.from(JSON.stringify(payload), 'utf8'), headers: { 'content-type': 'application/json' } };
  }

  private envelope(code: number, message: string, result: unknown): FakeReply {
    return { status: code, body: { response: { status: code === 200 ? 'OK' : 'NOK', code, message }, result } };
  }

  private refuse(req: RecordedRequest, code: number, message: string): FakeReply {
    req.rejected = true;
    return this.envelope(code, message, null);
  }

  private login(req: RecordedRequest): FakeReply {
    let b: { user_name?: unknown; password?: unknown };
    try {
      b = this.json(req);
    } catch {
      return this.envelope(400, 'validation_error', [{ field: 'body', message: 'body must be JSON' }]);
    }
    const missing = (['user_name', 'password'] as const).filter((f) => typeof b[f] !== 'string' || b[f] === '');
    if (missing.length)
      return this.envelope(
        400,
        'validation_error',
        missing.map((field) => ({ field, message: `${field} is required` })),
      );
    if (b.user_name !== this.creds.username || b.password !== this.creds.password)
      return this.refuse(req, 403, 'login_failue');
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: this.creds.username, iat: now, exp: now + TOKEN_TTL_S, jti: randomUUID() })}`;
    const token = `${unsigned}.${createHmac('sha256', this.jwtKey).update(unsigned).digest('base64url')}`;
    this.tokens.set(token, Date.now() + TOKEN_TTL_S * 1000);
    return this.envelope(200, 'Success', {
      access_token: { token, expires_in: TOKEN_TTL_S },
      refresh_token: randomBytes(24).toString('hex'),
    });
  }

  private createSession(req: RecordedRequest): FakeReply {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const until = this.tokens.get(token);
    if (until === undefined) return this.refuse(req, 401, 'unauthorized');
    if (until < Date.now()) return this.refuse(req, 401, 'token_expired');
    if (decodeURIComponent(req.path.split('/').pop() ?? '') !== this.creds.apiKey)
      return this.refuse(req, 403, 'invalid_api_key');
    let b: Record<string, unknown>;
    try {
      b = this.json(req);
    } catch {
      return this.envelope(400, 'validation_error', [{ field: 'body', message: 'body must be JSON' }]);
    }
    const errors: { field: string; message: string }[] = [];
    if (b.cashier_key !== this.creds.cashierKey)
      errors.push({ field: 'cashier_key', message: 'cashier_key is invalid' });
    if (typeof b.order_id !== 'string' || !b.order_id)
      errors.push({ field: 'order_id', message: 'order_id is required' });
    if (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency))
      errors.push({ field: 'currency', message: 'currency must be an ISO 4217 code' });
    if (typeof b.country !== 'string' || !/^[A-Z]{2}$/.test(b.country))
      errors.push({ field: 'country', message: 'country must be an ISO 3166-1 alpha-2 code' });
    if (b.amount !== undefined && (typeof b.amount !== 'number' || b.amount <= 0))
      errors.push({ field: 'amount', message: 'amount must be a positive decimal' });
    if (errors.length) return this.envelope(400, 'validation_error', errors);
    const session = { cashierToken: randomUUID(), sessionId: randomUUID(), request: b };
    this.sessions.push(session);
    return this.envelope(200, 'Success', { cashier_token: session.cashierToken });
  }
}
