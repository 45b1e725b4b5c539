import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

import { FakeServer, type FakeReply, type RecordedRequest } from '@app/testing';

/** A webhook as Twilio would send it: POST `body` with `headers` to `url` (the public URL it signed). */
export interface TwilioWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface TwilioMessageRecord {
  sid: string;
  params: URLSearchParams;
  status: string;
}

export interface TwilioCallRecord {
  sid: string;
  params: URLSearchParams;
  status: string;
  /** Next SequenceNumber for this call's status callbacks. */
  sequence: number;
}

const API = '/2010-04-01';
const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** Twilio's dates are RFC 2822 with a numeric zone. */
const rfc2822 = (d = new Date()) => d.toUTCString().replace('GMT', '+0000');

function twilioError(status: number, code: number, message: string, detail?: string): FakeReply {
  return {
    status,
    body: {
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
      ...(detail ? { detail } : {}),
    },
  };
}

/**
 * Twilio REST API (2010-04-01) for twilio_sms and twilio_voice: basic auth checked for real, form bodies
 * only (a JSON body reads as "no parameters", as on Twilio), Twilio's JSON resource and error shapes.
 * Signatures of the webhooks it builds are computed here with node:crypto, independently of the
 * connector code, so a signing bug there is caught.
 */
export class TwilioFake extends FakeServer {
  readonly messages: TwilioMessageRecord[] = [];
  readonly calls: TwilioCallRecord[] = [];
  /** What the account fetch reports; set to 'suspended' to test that path. */
  accountStatus = 'active';

  constructor(
    readonly accountSid: string,
    readonly authToken: string,
  ) {
    super();
    this.route('GET', /^\/2010-04-01\/Accounts\/[^/]+\.json$/, (r) => this.authed(r, () => this.account()));
    this.route('POST', /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/, (r) =>
      this.authed(r, () => this.createMessage(r)),
    );
    this.route('POST', /^\/2010-04-01\/Accounts\/[^/]+\/Calls\.json$/, (r) => this.authed(r, () => this.createCall(r)));
  }

  /** Twilio's 429 carries its own error shape (code 20429), not the generic one. */
  override rateLimitNext(times = 1, retryAfterSeconds = 1): this {
    const r = twilioError(429, 20429, 'Too Many Requests');
    return this.failNext({ ...r, headers: { 'retry-after': String(retryAfterSeconds) } }, times);
  }

  override reset(): void {
    super.reset();
    this.messages.length = 0;
    this.calls.length = 0;
  }

  private authed(req: RecordedRequest, handler: () => FakeReply): FakeReply {
    const m = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== this.accountSid || decoded.slice(colon + 1) !== this.authToken) {
      req.rejected = true;
      const r = twilioError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.');
      return { ...r, headers: { 'www-authenticate': 'Basic realm="Twilio API"' } };
    }
    // Good credentials but someone else's account in the path: Twilio answers 404, not 403.
    const pathSid = /^\/2010-04-01\/Accounts\/([^/.]+)/.exec(req.path)?.[1];
    if (pathSid !== this.accountSid) {
      return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
    }
    return handler();
  }

  /** Twilio reads form fields only; any other content type leaves the parameters empty. */
  private params(req: RecordedRequest): URLSearchParams {
    const type = String(req.headers['content-type'] ?? '');
    return type.startsWith('application/x-www-form-urlencoded') ? this.form(req) : new URLSearchParams();
  }

  private account(): FakeReply {
    const uri = `${API}/Accounts/${this.accountSid}.json`;
    return {
      status: 200,
      body: {
        sid: this.accountSid,
        owner_account_sid: this.accountSid,
        friendly_name: 'Fake account',
        status: this.accountStatus,
        type: 'Full',
        auth_token: this.authToken,
        date_created: rfc2822(),
        date_updated: rfc2822(),
        uri,
        subresource_uris: {
          messages: `${API}/Accounts/${this.accountSid}/Messages.json`,
          calls: `${API}/Accounts/${this.accountSid}/Calls.json`,
        },
      },
    };
  }

  private createMessage(req: RecordedRequest): FakeReply {
    const p = this.params(req);
    if (!p.get('To')) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!p.get('From') && !p.get('MessagingServiceSid'))
      return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!p.get('Body') && !p.get('MediaUrl') && !p.get('ContentSid'))
      return twilioError(400, 21602, 'Message body is required.');
    if ((p.get('Body') ?? '').length > 1600)
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const rec: TwilioMessageRecord = {
      sid: sid('SM'),
      params: p,
      status: p.get('MessagingServiceSid') ? 'accepted' : 'queued',
    };
    this.messages.push(rec);
    const now = rfc2822();
    return {
      status: 201,
      body: {
        sid: rec.sid,
        account_sid: this.accountSid,
        api_version: '2010-04-01',
        body: p.get('Body') ?? '',
        date_created: now,
        date_updated: now,
        date_sent: null,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: p.get('From'),
        messaging_service_sid: p.get('MessagingServiceSid'),
        num_media: String(p.getAll('MediaUrl').length),
        num_segments: String(Math.max(1, Math.ceil((p.get('Body') ?? '').length / 153))),
        price: null,
        price_unit: 'USD',
        status: rec.status,
        to: p.get('To'),
        uri: `${API}/Accounts/${this.accountSid}/Messages/${rec.sid}.json`,
        subresource_uris: { media: `${API}/Accounts/${this.accountSid}/Messages/${rec.sid}/Media.json` },
      },
    };
  }

  private createCall(req: RecordedRequest): FakeReply {
    const p = this.params(req);
    if (!p.get('To')) return twilioError(400, 21201, "No 'To' number is specified");
    if (!p.get('From')) return twilioError(400, 21213, "No 'From' number is specified");
    // Code and wording approximated: Twilio's documentation only says one of Url / Twiml / ApplicationSid is required.
    if (!p.get('Url') && !p.get('Twiml') && !p.get('ApplicationSid'))
      return twilioError(400, 21205, 'Url parameter is required.');
    const rec: TwilioCallRecord = { sid: sid('CA'), params: p, status: 'queued', sequence: 0 };
    this.calls.push(rec);
    const now = rfc2822();
    return {
      status: 201,
      body: {
        sid: rec.sid,
        account_sid: this.accountSid,
        api_version: '2010-04-01',
        to: p.get('To'),
        to_formatted: p.get('To'),
        from: p.get('From'),
        from_formatted: p.get('From'),
        status: 'queued',
        direction: 'outbound-api',
        parent_call_sid: null,
        date_created: now,
        date_updated: now,
        start_time: null,
        end_time: null,
        duration: null,
        price: null,
        price_unit: 'USD',
        answered_by: null,
        caller_name: null,
        forwarded_from: null,
        group_sid: null,
        phone_number_sid: null,
        queue_time: '0',
        trunk_sid: null,
        uri: `${API}/Accounts/${this.accountSid}/Calls/${rec.sid}.json`,
        subresource_uris: { recordings: `${API}/Accounts/${this.accountSid}/Calls/${rec.sid}/Recordings.json` },
      },
    };
  }

  // ---- webhooks Twilio would send ----

  /** Independent X-Twilio-Signature: url + sorted name/value pairs, HMAC-SHA1 with the auth token, base64. */
  sign(url: string, params: URLSearchParams): string {
    const names = [...new Set([...params.keys()])].sort();
    let data = url;
    for (const n of names) for (const v of [...new Set(params.getAll(n))].sort()) data += n + v;
    return createHmac('sha1', this.authToken).update(data, 'utf8').digest('base64');
  }

  /** A form-encoded webhook to `url` (the public URL, as configured at Twilio), signed over exactly that URL. */
  formWebhook(url: string, fields: Record<string, string>): TwilioWebhook {
    const params = new URLSearchParams(fields);
    return {
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-twilio-signature': this.sign(url, params),
        'i-twilio-idempotency-token': randomUUID(),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: params.toString(),
    };
  }

  /** The JSON variant: bodySHA256 appended to the URL's query, only the URL signed. */
  jsonWebhook(url: string, body: string): TwilioWebhook {
    const signedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body, 'utf8').digest('hex')}`;
    return {
      url: signedUrl,
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': this.sign(signedUrl, new URLSearchParams()),
      },
      body,
    };
  }

  /** Message StatusCallback for a message this fake accepted (to its StatusCallback, or `url`). */
  messageStatusCallback(
    messageSid: string,
    status: string,
    extra: Record<string, string> = {},
    url?: string,
  ): TwilioWebhook {
    const rec = this.messages.find((m) => m.sid === messageSid);
    const target = url ?? rec?.params.get('StatusCallback');
    if (!rec || !target) throw new Error(`no message ${messageSid} with a StatusCallback`);
    rec.status = status;
    const service = rec.params.get('MessagingServiceSid');
    return this.formWebhook(target, {
      ApiVersion: '2010-04-01',
      AccountSid: this.accountSid,
      MessageSid: rec.sid,
      SmsSid: rec.sid,
      MessageStatus: status,
      SmsStatus: status,
      From: rec.params.get('From') ?? '',
      To: rec.params.get('To') ?? '',
      ...(service ? { MessagingServiceSid: service } : {}),
      ...(['failed', 'undelivered'].includes(status) ? { ErrorCode: '30003' } : {}),
      ...extra,
    });
  }

  /** Call status callback (CallStatus: queued, ringing, in-progress, completed, busy, no-answer, failed, canceled). */
  callStatusCallback(callSid: string, status: string, extra: Record<string, string> = {}, url?: string): TwilioWebhook {
    const rec = this.calls.find((c) => c.sid === callSid);
    const target = url ?? rec?.params.get('StatusCallback');
    if (!rec || !target) throw new Error(`no call ${callSid} with a StatusCallback`);
    rec.status = status;
    return this.formWebhook(target, {
      ApiVersion: '2010-04-01',
      AccountSid: this.accountSid,
      CallSid: rec.sid,
      CallStatus: status,
      Direction: 'outbound-api',
      From: rec.params.get('From') ?? '',
      To: rec.params.get('To') ?? '',
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(rec.sequence++),
      Timestamp: rfc2822(),
      ...(status === 'completed' ? { CallDuration: '42' } : {}),
      ...extra,
    });
  }

  /** POSTs a webhook; `target` is where the receiver really listens when it differs from the signed public URL. */
  async deliver(hook: TwilioWebhook, target?: string): Promise<Response> {
    return fetch(target ?? hook.url, { method: 'POST', headers: hook.headers, body: hook.body });
  }
}
