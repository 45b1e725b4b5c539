import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

export interface SendgridFakeOptions {
  apiKey: string;
  /** Permissions of the key; full access includes mail.send. */
  scopes?: string[];
}

export interface SendgridSentMail {
  messageId: string;
  body: SendgridMailBody;
}

interface Address {
  email?: string;
  name?: string;
}
export interface SendgridMailBody {
  personalizations?: {
    to?: Address[];
    cc?: Address[];
    bcc?: Address[];
    subject?: string;
    custom_args?: Record<string, string>;
  }[];
  from?: Address;
  subject?: string;
  content?: { type?: string; value?: string }[];
  template_id?: string;
  custom_args?: Record<string, string>;
  reply_to?: Address;
  reply_to_list?: Address[];
}

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';

/**
 * SendGrid v3 fake (docs/providers/sendgrid.md): Bearer API key, /v3/scopes, /v3/mail/send answering 202 with
 * X-Message-Id, SendGrid's `{errors:[{message, field, help}]}` shape, and Event Webhooks signed with
 * an ECDSA P-256 key generated here (its public key is what `webhook_verification_key` takes).
 */
export class SendgridFake extends FakeServer {
  readonly sent: SendgridSentMail[] = [];
  /** base64 DER SubjectPublicKeyInfo, the form SendGrid shows in its settings. */
  readonly publicKeyBase64: string;
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;
  private readonly scopes: string[];

  constructor(private readonly opts: SendgridFakeOptions) {
    super();
    this.scopes = opts.scopes ?? ['mail.send', 'scopes.read', 'user.webhooks.event.settings.read'];
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    this.publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    this.publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    this.route(
      'GET',
      /^\/v3\/scopes$/,
      this.authed(null, () => ({ status: 200, body: { scopes: this.scopes } })),
    );
    this.route(
      'POST',
      /^\/v3\/mail\/send$/,
      this.authed('mail.send', (r) => this.send(r)),
    );
  }

  /** A batch of events as SendGrid posts it: JSON array body plus the ECDSA signature headers. */
  signedEvents(
    events: Record<string, unknown>[],
    timestamp = Math.floor(Date.now() / 1000),
  ): { body: Buffer; headers: Record<string, string> } {
    const body = Buffer.from(JSON.stringify(events), 'utf8');
    const signature = sign('sha256', Buffer.concat([Buffer.from(String(timestamp)), body]), this.privateKey).toString(
      'base64',
    );
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': String(timestamp),
      },
    };
  }

  /** One event for a sent message, shaped like SendGrid's (custom_args echoed as top-level keys). */
  eventFor(messageId: string, event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const mail = this.sent.find((m) => m.messageId === messageId);
    const p = mail?.body.personalizations?.[0];
    return {
      email: p?.to?.[0]?.email ?? 'unknown@example.com',
      timestamp: Math.floor(Date.now() / 1000),
      event,
      sg_event_id: randomBytes(16).toString('base64url'),
      sg_message_id: `${messageId}.filterdrecv-fake-1-${Date.now().toString(16).toUpperCase()}-0.0`,
      'smtp-id': `<${messageId}@fake.sendgrid.net>`,
      ...(mail?.body.custom_args ?? {}),
      ...(p?.custom_args ?? {}),
      ...extra,
    };
  }

  private errors(
    status: number,
    ...errors: { message: string; field?: string | null; help?: string | null }[]
  ): FakeReply {
    return { status, body: { errors: errors.map((e) => ({ field: null, help: null, ...e })) } };
  }

  private authed(
    scope: string | null,
    route: (req: RecordedRequest) => FakeReply,
  ): (req: RecordedRequest) => FakeReply {
    return (req) => {
      const auth = req.headers.authorization;
      let refusal: FakeReply | undefined;
      if (!auth) refusal = this.errors(401, { message: 'authorization required' });
      else if (auth !== `Bearer ${this.opts.apiKey}`)
        refusal = this.errors(401, { message: 'The provided authorization grant is invalid, expired, or revoked' });
      else if (scope && !this.scopes.includes(scope)) refusal = this.errors(403, { message: 'access forbidden' });
      if (refusal) {
        req.rejected = true;
        return refusal;
      }
      return route(req);
    };
  }

  private send(req: RecordedRequest): FakeReply {
    let b: SendgridMailBody;
    try {
      b = this.json<SendgridMailBody>(req);
    } catch {
      return this.errors(400, { message: 'Bad Request' });
    }
    const errs: { message: string; field: string; help: string }[] = [];
    const ps = b.personalizations ?? [];
    if (!ps.length)
      errs.push({
        field: 'personalizations',
        message: 'The personalizations field is required and must have at least one personalization.',
        help: `${HELP}#-Personalizations-Errors`,
      });
    if (ps.some((p) => !p.to?.length || p.to.some((t) => !t.email))) {
      errs.push({
        field: 'personalizations.0.to',
        message:
          'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
        help: `${HELP}#message.personalizations.to`,
      });
    }
    if (!b.from?.email)
      errs.push({
        field: 'from.email',
        message:
          'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
        help: `${HELP}#message.from`,
      });
    if (!b.template_id && !b.content?.length)
      errs.push({
        field: 'content',
        message:
          'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
        help: `${HELP}#message.content`,
      });
    if (!b.template_id && !b.subject && ps.some((p) => !p.subject))
      errs.push({
        field: 'subject',
        message:
          'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
        help: `${HELP}#message.subject`,
      });
    if (b.reply_to && b.reply_to_list)
      errs.push({
        field: 'reply_to',
        message: 'reply_to and reply_to_list are mutually exclusive',
        help: `${HELP}#message.reply_to`,
      });
    if (errs.length) return this.errors(400, ...errs);
    const messageId = randomBytes(16).toString('base64url').slice(0, 22);
    this.sent.push({ messageId, body: b });
    return { status: 202, headers: { 'x-message-id': messageId } };
  }
}
