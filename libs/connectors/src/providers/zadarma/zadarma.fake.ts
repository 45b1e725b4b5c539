import { createHash, createHmac } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

/** A notification as Zadarma would POST it to the configured URL. */
export interface ZadarmaNotification {
  headers: Record<string, string>;
  body: string;
  fields: Record<string, string>;
}

export interface ZadarmaCallbackRecord {
  from: string;
  to: string;
  sip?: string;
  predicted?: string;
  time: number;
}

/** One row of GET /v1/statistics/pbx/ (version 2), as Zadarma's PHP SDK documents it. */
export interface ZadarmaPbxStat {
  call_id: string;
  sip: string;
  callstart: string;
  clid: string;
  destination: string;
  disposition: string;
  seconds: number;
  is_recorded: boolean;
  pbx_call_id: string;
}

const notAuthorized: FakeReply = { status: 401, body: { status: 'error', message: 'Not authorized' } };

/** PHP urlencode (RFC 1738): what Zadarma's server uses to rebuild the signed query. Written independently of the connector. */
function phpEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9_.-]/.test(c)) return c;
      return b === 0x20 ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/**
 * Zadarma API v1: `Authorization: <key>:<base64(hex HMAC-SHA1(secret, path + qs + md5(qs)))>` checked
 * for real over the sorted parameters it received (query for GET, form body for POST). A wrong key or
 * signature is refused with 401 `{"status":"error","message":"Not authorized"}`.
 */
export class ZadarmaFake extends FakeServer {
  readonly callbacks: ZadarmaCallbackRecord[] = [];
  /** The PBX call statistics this fake serves; outboundCall() adds the row of the call it ends. */
  readonly stats: ZadarmaPbxStat[] = [];
  balance = { balance: 10.34, currency: 'USD' };

  constructor(
    readonly apiKey: string,
    readonly apiSecret: string,
  ) {
    super();
    this.route('GET', /^\/v1\/info\/balance\/?$/, (r) =>
      this.authed(r, () => ({ status: 200, body: { status: 'success', ...this.balance } })),
    );
    this.route('GET', /^\/v1\/request\/callback\/?$/, (r) => this.authed(r, () => this.callback(r)));
    this.route('GET', /^\/v1\/statistics\/pbx\/?$/, (r) => this.authed(r, () => this.pbxStatistics(r)));
  }

  /** Zadarma's 429 body follows its own `{status, message}` envelope. */
  override rateLimitNext(times = 1, retryAfterSeconds = 1): this {
    return this.failNext(
      {
        status: 429,
        body: { status: 'error', message: 'Too many requests' },
        headers: { 'retry-after': String(retryAfterSeconds) },
      },
      times,
    );
  }

  override reset(): void {
    super.reset();
    this.callbacks.length = 0;
    this.stats.length = 0;
  }

  private params(req: RecordedRequest): Record<string, string> {
    const p = req.method === 'GET' ? req.query : this.form(req);
    return Object.fromEntries(p.entries());
  }

  /** Independent recomputation of the expected Authorization signature. */
  expectedSignature(path: string, params: Record<string, string>): string {
    const qs = Object.keys(params)
      .sort()
      .map((k) => `${phpEncode(k)}=${phpEncode(params[k])}`)
      .join('&');
    const md5 = createHash('md5').update(qs).digest('hex');
    return Buffer.from(
      createHmac('sha1', this.apiSecret)
        .update(path + qs + md5)
        .digest('hex'),
      'utf8',
    ).toString('base64');
  }

  private authed(req: RecordedRequest, handler: () => FakeReply): FakeReply {
    const auth = String(req.headers.authorization ?? '');
    const colon = auth.indexOf(':');
    const ok =
      colon > 0 &&
      auth.slice(0, colon) === this.apiKey &&
      auth.slice(colon + 1) === this.expectedSignature(req.path, this.params(req));
    if (!ok) {
      req.rejected = true;
      return notAuthorized;
    }
    return handler();
  }

  private callback(req: RecordedRequest): FakeReply {
    const p = this.params(req);
    // Wording approximated: Zadarma documents `from` and `to` as required but not the error text.
    if (!p.from || !p.to)
      return { status: 400, body: { status: 'error', message: 'Wrong parameters: from and to are required' } };
    const rec: ZadarmaCallbackRecord = {
      from: p.from,
      to: p.to,
      sip: p.sip,
      predicted: p.predicted,
      time: Math.floor(Date.now() / 1000),
    };
    this.callbacks.push(rec);
    // No call id, as documented: correlation happens through the NOTIFY_OUT_* notifications.
    return { status: 200, body: { status: 'success', from: rec.from, to: rec.to, time: rec.time } };
  }

  /** `start` and `end` (YYYY-MM-DD HH:MM:SS, compared as text like the dates themselves) bound callstart. */
  private pbxStatistics(req: RecordedRequest): FakeReply {
    const p = this.params(req);
    const date = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
    if ((p.start && !date.test(p.start)) || (p.end && !date.test(p.end)))
      return { status: 400, body: { status: 'error', message: 'Wrong parameters: start, end' } };
    const rows = this.stats.filter((s) => (!p.start || s.callstart >= p.start) && (!p.end || s.callstart <= p.end));
    return {
      status: 200,
      body: { status: 'success', start: p.start, end: p.end, version: Number(p.version ?? 2), stats: rows },
    };
  }

  // ---- notifications ----

  /** The signed string per event (docs/providers/zadarma.md), restated here independently of the connector. */
  private signedString(f: Record<string, string>): string {
    switch (f.event) {
      case 'NOTIFY_ANSWER':
        return f.caller_id + f.destination + f.call_start;
      case 'NOTIFY_OUT_START':
      case 'NOTIFY_OUT_END':
        return f.internal + f.destination + f.call_start;
      case 'NOTIFY_RECORD':
        return f.pbx_call_id + f.call_id_with_rec;
      default:
        return f.caller_id + f.called_did + f.call_start;
    }
  }

  /**
   * A form-encoded notification with its `Signature` header. `encoding` 'hex' is the documented form
   * (base64 of the hex digest); 'raw' is what the official TypeScript SDK expects.
   */
  notification(event: string, fields: Record<string, string>, encoding: 'hex' | 'raw' = 'hex'): ZadarmaNotification {
    const all = { event, ...fields };
    const mac = createHmac('sha1', this.apiSecret).update(this.signedString(all), 'utf8');
    const signature =
      encoding === 'hex' ? Buffer.from(mac.digest('hex'), 'utf8').toString('base64') : mac.digest('base64');
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded', signature },
      body: new URLSearchParams(all).toString(),
      fields: all,
    };
  }

  /**
   * NOTIFY_OUT_START then NOTIFY_OUT_END for a callback this fake accepted (ids generated); the call's
   * row is added to the statistics, as Zadarma lists a call once it has ended.
   */
  outboundCall(rec: ZadarmaCallbackRecord, disposition = 'answered', duration = 42): ZadarmaNotification[] {
    const start = new Date(rec.time * 1000).toISOString().replace('T', ' ').slice(0, 19);
    const pbx = `in_${createHash('md5').update(`${rec.from}${rec.to}${rec.time}`).digest('hex').slice(0, 12)}`;
    const common = { call_start: start, pbx_call_id: pbx, internal: rec.sip ?? rec.from, destination: rec.to };
    this.stats.push({
      call_id: `${rec.time}.${this.stats.length + 1}`,
      sip: common.internal,
      callstart: start,
      clid: common.internal,
      destination: rec.to,
      disposition,
      seconds: disposition === 'answered' ? duration : 0,
      is_recorded: false,
      pbx_call_id: pbx,
    });
    return [
      this.notification('NOTIFY_OUT_START', common),
      this.notification('NOTIFY_OUT_END', {
        ...common,
        caller_id: rec.sip ?? rec.from,
        duration: String(duration),
        disposition,
        status_code: disposition === 'answered' ? '16' : '17',
        is_recorded: '0',
        call_id_with_rec: '',
      }),
    ];
  }

  /** The URL check Zadarma does when a notification URL is saved: the receiver must echo zd_echo. */
  echoCheck(url: string, echo = 'zd-echo-1234'): { url: string; expected: string } {
    return { url: `${url}${url.includes('?') ? '&' : '?'}zd_echo=${echo}`, expected: echo };
  }

  async deliver(n: ZadarmaNotification, url: string): Promise<Response> {
    return fetch(url, { method: 'POST', headers: n.headers, body: n.body });
  }
}
