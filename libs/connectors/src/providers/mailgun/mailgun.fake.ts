import { createHmac, randomBytes } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface MailgunFakeOptions {
  apiKey: string;
  domain: string;
  /** The HTTP webhook signing key the fake signs its webhooks with. */
  signingKey: string;
}

export interface MailgunSentMail {
  /** Without the angle brackets, as events carry it. */
  id: string;
  form: URLSearchParams;
}

/**
 * Mailgun fake (docs/providers/mailgun.md): HTTP Basic `api:<key>` (401 `Forbidden` otherwise),
 * GET /v3/domains/<domain>, POST /v3/<domain>/messages (urlencoded) answering `{id, message}`, and
 * webhooks signed as Mailgun signs them (hex HMAC-SHA256 of timestamp + token, a fresh 50-character
 * token each time).
 */
export class MailgunFake extends FakeServer {
  readonly sent: MailgunSentMail[] = [];

  constructor(private readonly opts: MailgunFakeOptions) {
    super();
    this.route(
      'GET',
      /^\/v3\/domains\/[^/]+$/,
      this.authed((r) => this.domain(r)),
    );
    this.route(
      'POST',
      /^\/v3\/[^/]+\/messages$/,
      this.authed((r) => this.send(r)),
    );
  }

  override reset(): void {
    super.reset();
    this.sent.length = 0;
  }

  /** A webhook as Mailgun posts it for a sent message: JSON body with the signature inside. */
  signedEvent(
    messageId: string,
    event: string,
    extra: Record<string, unknown> = {},
    at: { timestamp?: number; token?: string } = {},
  ): { body: Buffer; headers: Record<string, string>; token: string } {
    const mail = this.sent.find((m) => m.form.get('v:message_id') === messageId || m.id === messageId);
    const timestamp = String(at.timestamp ?? Math.floor(Date.now() / 1000));
    const token = at.token ?? randomBytes(25).toString('hex');
    const signature = createHmac('sha256', this.opts.signingKey).update(`${timestamp}${token}`).digest('hex');
    const data: Record<string, unknown> = {
      event,
      id: randomBytes(16).toString('base64url'),
      timestamp: Date.now() / 1000,
      'log-level': event === 'failed' ? 'error' : 'info',
      recipient: mail?.form.get('to') ?? 'unknown@example.com',
      'recipient-domain': (mail?.form.get('to') ?? 'unknown@example.com').split('@')[1],
      message: {
        headers: {
          'message-id': mail?.id ?? `${Date.now()}.fake@${this.opts.domain}`,
          from: mail?.form.get('from') ?? `sender@${this.opts.domain}`,
          to: mail?.form.get('to') ?? 'unknown@example.com',
          subject: mail?.form.get('subject') ?? '',
        },
      },
      'user-variables': mail?.form.get('v:message_id') ? { message_id: mail.form.get('v:message_id') } : {},
      ...(event === 'delivered' ? { 'delivery-status': { code: 250, message: 'OK', description: '' } } : {}),
      ...extra,
    };
    return {
      body: Buffer.from(JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': data })),
      headers: { 'content-type': 'application/json' },
      token,
    };
  }

  /** Posts the events of a sent message to `url`, one signed webhook each, in order; the answers' statuses. */
  async postEvents(url: string, messageId: string, events: string[] = ['delivered', 'opened']): Promise<number[]> {
    const out: number[] = [];
    for (const event of events) {
      const { body, headers } = this.signedEvent(messageId, event);
      out.push((await fetch(url, { method: 'POST', body, headers })).status);
    }
    return out;
  }

  private authed(route: (req: RecordedRequest) => FakeReply): (req: RecordedRequest) => FakeReply {
    return (req) => {
      const expected = `Basic ${Buffer.from(`api:${this.opts.apiKey}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        req.rejected = true;
        return { status: 401, body: 'Forbidden' };
      }
      return route(req);
    };
  }

  private domain(req: RecordedRequest): FakeReply {
    const name = decodeURIComponent(req.path.split('/')[3]);
    if (name !== this.opts.domain) return { status: 404, body: { message: 'Domain not found' } };
    return {
      status: 200,
      body: { domain: { name, state: 'active', type: 'custom' }, receiving_dns_records: [], sending_dns_records: [] },
    };
  }

  private send(req: RecordedRequest): FakeReply {
    const domain = decodeURIComponent(req.path.split('/')[2]);
    if (domain !== this.opts.domain) return { status: 404, body: { message: 'Domain not found' } };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return { status: 400, body: { message: 'from parameter is missing' } };
    const form = this.form(req);
    for (const field of ['from', 'to'])
      if (!form.get(field)) return { status: 400, body: { message: `${field} parameter is missing` } };
    if (!form.get('subject')) return { status: 400, body: { message: 'subject parameter is missing' } };
    if (!form.get('text') && !form.get('html'))
      return {
        status: 400,
        body: { message: "Need at least one of 'text', 'html' or 'template' parameters specified" },
      };
    const id = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.${randomBytes(8).toString('hex')}@${domain}`;
    this.sent.push({ id, form });
    return { status: 200, body: { id: `<${id}>`, message: 'Queued. Thank you.' } };
  }
}
