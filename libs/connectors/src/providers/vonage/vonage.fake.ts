import { randomBytes } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

import { vonageSignature, type VonageSignatureMethod } from './vonage.signing';

export interface VonageFakeOptions {
  apiKey: string;
  apiSecret: string;
  signatureSecret: string;
  signatureMethod?: VonageSignatureMethod;
}

export interface VonageSentSms {
  form: URLSearchParams;
  /** One message-id per part, in order. */
  ids: string[];
}

/**
 * Vonage SMS API fake (docs/providers/vonage_sms.md): POST /sms/json (api_key/api_secret in the form)
 * answering `{"message-count", messages: [...]}` with one message per part (a GSM text over 160
 * characters goes in parts of 153, a unicode one over 70 in parts of 67), status "4" for wrong
 * credentials and "2" for a missing parameter (HTTP 200 either way, as Vonage answers);
 * GET /account/get-balance (401 on wrong credentials); signed delivery receipts, one per part.
 */
export class VonageFake extends FakeServer {
  readonly sent: VonageSentSms[] = [];

  constructor(private readonly opts: VonageFakeOptions) {
    super();
    this.route('POST', /^\/sms\/json$/, (r) => this.send(r));
    this.route('GET', /^\/account\/get-balance$/, (r) => this.balance(r));
  }

  override reset(): void {
    super.reset();
    this.sent.length = 0;
  }

  /** The signed DLR params of one part of a sent message (by client-ref = our message id). */
  dlr(
    messageId: string,
    part: number,
    status = 'delivered',
    extra: Record<string, string> = {},
  ): Record<string, string> {
    const sms = this.sent.find((s) => s.form.get('client-ref') === messageId);
    const now = new Date();
    const p: Record<string, string> = {
      msisdn: sms?.form.get('to') ?? '447700900000',
      to: sms?.form.get('from') ?? 'Vonage',
      'network-code': '23410',
      messageId: sms?.ids[part] ?? `0B0000${part}`,
      price: '0.03330000',
      status,
      scts: now.toISOString().replace(/\D/g, '').slice(2, 12),
      'err-code': status === 'delivered' || status === 'accepted' || status === 'buffered' ? '0' : '1',
      'api-key': this.opts.apiKey,
      ...(sms?.form.get('client-ref') ? { 'client-ref': sms.form.get('client-ref')! } : {}),
      'message-timestamp': now.toISOString().slice(0, 19).replace('T', ' '),
      timestamp: String(Math.floor(now.getTime() / 1000)),
      nonce: randomBytes(16).toString('hex'),
      ...extra,
    };
    p.sig = vonageSignature(this.opts.signatureSecret, p, this.opts.signatureMethod ?? 'sha256');
    return p;
  }

  /** Posts a JSON DLR per part to `url` (POST-JSON, the dashboard's default); `failPart` gets `failed`. */
  async postDlrs(url: string, messageId: string, opts: { failPart?: number } = {}): Promise<number[]> {
    const sms = this.sent.find((s) => s.form.get('client-ref') === messageId);
    const out: number[] = [];
    for (let i = 0; i < (sms?.ids.length ?? 1); i++) {
      const body = JSON.stringify(this.dlr(messageId, i, i === opts.failPart ? 'failed' : 'delivered'));
      out.push((await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status);
    }
    return out;
  }

  private authed(p: URLSearchParams): boolean {
    return p.get('api_key') === this.opts.apiKey && p.get('api_secret') === this.opts.apiSecret;
  }

  private balance(req: RecordedRequest): FakeReply {
    if (!this.authed(req.query)) {
      req.rejected = true;
      return { status: 401, body: { 'error-code': '401', 'error-code-label': 'authentication failed' } };
    }
    return { status: 200, body: { value: 10.28, autoReload: false } };
  }

  private send(req: RecordedRequest): FakeReply {
    const form = this.form(req);
    const one = (m: Record<string, string>) => ({ status: 200, body: { 'message-count': '1', messages: [m] } });
    if (!this.authed(form)) {
      req.rejected = true;
      return one({ status: '4', 'error-text': 'Bad Credentials' });
    }
    for (const f of ['from', 'to', 'text'])
      if (!form.get(f)) return one({ status: '2', 'error-text': `Missing ${f} param` });
    if (!/^[1-9]\d{6,14}$/.test(form.get('to')!)) return one({ status: '3', 'error-text': 'Invalid to param' });
    const text = form.get('text')!;
    const unicode = form.get('type') === 'unicode';
    const len = [...text].length;
    const count = unicode ? (len <= 70 ? 1 : Math.ceil(len / 67)) : len <= 160 ? 1 : Math.ceil(len / 153);
    const ids = Array.from({ length: count }, () => randomBytes(8).toString('hex').toUpperCase());
    this.sent.push({ form, ids });
    return {
      status: 200,
      body: {
        'message-count': String(count),
        messages: ids.map((id) => ({
          to: form.get('to'),
          'message-id': id,
          status: '0',
          'remaining-balance': '10.25',
          'message-price': '0.03330000',
          network: '23410',
          ...(form.get('client-ref') ? { 'client-ref': form.get('client-ref') } : {}),
        })),
      },
    };
  }
}
