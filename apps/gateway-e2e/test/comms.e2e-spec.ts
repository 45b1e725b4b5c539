import { connect, type NatsConnection } from '@nats-io/transport-node';

import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { TwilioFake } from '@app/connectors/providers/twilio/twilio.fake';
import { VoisoFake } from '@app/connectors/providers/voiso/voiso.fake';
import { ZadarmaFake } from '@app/connectors/providers/zadarma/zadarma.fake';
import type { MessageStatusChangedEvent, MessageView, ProviderChangedEvent, SendReply } from '@app/contracts';
import { eventually, queryRows } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const PUBLIC = 'https://integrations.broker.example';
const SG_KEY = 'SG.comms-key-abcdefghijklmnop-1234';
const GMAIL = {
  clientId: 'client-9.apps.googleusercontent.com',
  clientSecret: 'gmail-secret-comms-1',
  refreshToken: '1//refresh-comms-1',
  senderEmail: 'crm@broker.example',
};
const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-comms-1', from: '+15005550006' };
const ZD = { key: 'zd-user-key', secret: 'zd-secret-comms' };
const VOISO = { key: 'voiso-api-key-comms', secret: 'voiso-webhook-secret-comms' };
const CUSTOMER = '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11';

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

/** A typical send-email body. */
const example = (over: Record<string, unknown> = {}) => ({
  to: 'john.doe@example.com',
  subject: 'Welcome to trading',
  body_html: '<p>Hello John</p>',
  from_email: 'support@broker.example',
  customer_id: CUSTOMER,
  event_type: 'welcome',
  ...over,
});

describe('communications through the gateway (real NATS and Postgres, provider fakes)', () => {
  let p: Platform;
  let nc: NatsConnection;
  let sendgrid: SendgridFake;
  let gmail: GmailFake;
  let twilio: TwilioFake;
  let zadarma: ZadarmaFake;
  let voiso: VoisoFake;
  const statusEvents: MessageStatusChangedEvent[] = [];
  const providerEvents: ProviderChangedEvent[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    p.api(`/api/platform/integrations${path}`, { method: 'POST', json: body, headers });
  const message = async (id: string) => json<MessageView>(await p.api(`/api/platform/integrations/messages/${id}`));
  /** Where the gateway really listens for a URL the provider was given (PUBLIC_BASE_URL + path + query). */
  const local = (publicUrl: string) => `${p.gateway.url}${publicUrl.slice(PUBLIC.length)}`;
  const hook = (provider: string, body: string | Buffer, headers: Record<string, string>, query = '') =>
    fetch(`${p.gateway.url}/webhooks/comms/${provider}${query}`, { method: 'POST', body, headers });

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    queryRows<T>(p.infra.databaseUrl, sql, params);

  async function activate(key: string, body: unknown) {
    const res = await p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
    expect(res.status).toBe(200);
  }

  /** A swap reaches comms through evt.catalog.provider.changed; wait until that event is out. */
  async function setEmailDefault(provider: string) {
    const before = providerEvents.length;
    expect(
      (await p.api('/api/platform/integrations/categories/email/default', { method: 'PUT', json: { provider } }))
        .status,
    ).toBe(200);
    await eventually('the default change event', () =>
      providerEvents.slice(before).some((e) => e.default_provider === provider) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
  }

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    gmail = await new GmailFake(GMAIL).start();
    twilio = await new TwilioFake(TWILIO.sid, TWILIO.token).start();
    zadarma = await new ZadarmaFake(ZD.key, ZD.secret).start();
    voiso = await new VoisoFake(VOISO.key, VOISO.secret).start();
    p = await startPlatform({ services: ['catalog', 'comms'], env: { PUBLIC_BASE_URL: PUBLIC } });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.evt.comms.message.status_changed`, {
      callback: (_e, m) => {
        statusEvents.push(m.json<MessageStatusChangedEvent>());
      },
    });
    nc.subscribe(`${p.infra.prefix}.evt.catalog.provider.changed`, {
      callback: (_e, m) => {
        providerEvents.push(m.json<ProviderChangedEvent>());
      },
    });
    await nc.flush();
    await activate('sendgrid', {
      credentials: { api_key: SG_KEY, webhook_verification_key: sendgrid.publicKeyBase64 },
      settings: { base_url: sendgrid.baseUrl },
    });
    await activate('gmail', {
      credentials: {
        client_id: GMAIL.clientId,
        client_secret: GMAIL.clientSecret,
        refresh_token: GMAIL.refreshToken,
        sender_email: GMAIL.senderEmail,
      },
      settings: { base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` },
    });
    const twilioCreds = { account_sid: TWILIO.sid, auth_token: TWILIO.token, from_number: TWILIO.from };
    await activate('twilio_sms', { credentials: twilioCreds, settings: { base_url: twilio.baseUrl } });
    await activate('zadarma', {
      credentials: { api_key: ZD.key, api_secret: ZD.secret },
      settings: { base_url: zadarma.baseUrl },
    });
    await activate('voiso', {
      credentials: { cluster: 'cc-ams03', api_key: VOISO.key, webhook_secret: VOISO.secret },
      settings: { base_url: voiso.baseUrl },
    });
    await activate('twilio_voice', { credentials: twilioCreds, settings: { base_url: twilio.baseUrl } });
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    for (const f of [sendgrid, gmail, twilio, zadarma, voiso]) await f?.stop();
  });

  describe('email', () => {
    let first: SendReply;

    it("sends the seed's example body through SendGrid as a correct v3 request", async () => {
      const res = await post('/email/send', example());
      expect(res.status).toBe(200);
      first = await json<SendReply>(res);
      expect(first).toEqual({
        message_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'sent',
        provider: 'sendgrid',
      });
      const [mail] = sendgrid.sent;
      expect(mail.body).toEqual({
        personalizations: [{ to: [{ email: 'john.doe@example.com' }] }],
        from: { email: 'support@broker.example' },
        subject: 'Welcome to trading',
        content: [{ type: 'text/html', value: '<p>Hello John</p>' }],
        custom_args: { message_id: first.message_id },
      });
      expect(sendgrid.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SG_KEY}`);
      const m = await message(first.message_id);
      expect(m).toMatchObject({
        message_id: first.message_id,
        channel: 'email',
        provider: 'sendgrid',
        provider_message_id: mail.messageId,
        status: 'sent',
        to: 'john.doe@example.com',
        customer_id: CUSTOMER,
        event_type: 'welcome',
      });
      expect(m.attempts).toEqual([expect.objectContaining({ provider: 'sendgrid', outcome: 'sent', error: null })]);
      await eventually('the sent event', () =>
        statusEvents.some((e) => e.message_id === first.message_id && e.status === 'sent') ? true : undefined,
      );
    });

    it('goes out through Gmail as a well-formed RFC 2822 message once the default is swapped, and back', async () => {
      await setEmailDefault('gmail');
      const res = await post('/email/send', example({ body_text: 'Hello John', from_name: 'Broker Support' }));
      expect(res.status).toBe(200);
      const reply = await json<SendReply>(res);
      expect(reply).toMatchObject({ status: 'sent', provider: 'gmail' });
      const [sent] = gmail.sent;
      expect(sent.headers).toMatchObject({
        from: `Broker Support <${GMAIL.senderEmail}>`,
        to: 'john.doe@example.com',
        subject: 'Welcome to trading',
        'reply-to': 'support@broker.example',
        'mime-version': '1.0',
        'x-platform-message-id': reply.message_id,
      });
      expect(sent.headers['content-type']).toMatch(/^multipart\/alternative; boundary="[^"]+"$/);
      expect(sent.mime).toContain('\r\n\r\n');
      expect(sent.mime.split('\r\n').every((l) => l.length <= 998)).toBe(true);
      const parts = sent.mime
        .split(/\r\n\r\n/)
        .slice(1)
        .map((b) => b.split('\r\n--')[0].replace(/\r\n/g, ''));
      const decoded = parts.map((b) => Buffer.from(b, 'base64').toString('utf8'));
      expect(decoded).toEqual(expect.arrayContaining(['Hello John', '<p>Hello John</p>']));
      // the access token is cached: a second send refreshes nothing
      await post('/email/send', example({ subject: 'Second' }));
      expect(gmail.requests.filter((r) => r.path === '/token')).toHaveLength(1);
      expect((await message(reply.message_id)).provider_message_id).toBe(sent.id);
      await setEmailDefault('sendgrid');
    });

    it('moves the status with signed SendGrid events; a late delivered after opened stays in history only', async () => {
      const xid = (await message(first.message_id)).provider_message_id!;
      const deliver = async (events: Record<string, unknown>[]) => {
        const signed = sendgrid.signedEvents(events);
        return hook('sendgrid', signed.body, signed.headers);
      };
      const delivered = await deliver([sendgrid.eventFor(xid, 'processed'), sendgrid.eventFor(xid, 'delivered')]);
      expect(delivered.status).toBe(200);
      expect((await message(first.message_id)).status).toBe('delivered');
      const open = sendgrid.signedEvents([sendgrid.eventFor(xid, 'open')]);
      expect((await hook('sendgrid', open.body, open.headers)).status).toBe(200);
      expect(
        (await deliver([sendgrid.eventFor(xid, 'delivered', { timestamp: Math.floor(Date.now() / 1000) + 5 })])).status,
      ).toBe(200);
      const again = await hook('sendgrid', open.body, open.headers);
      expect(await again.json()).toMatchObject({ received: 1, recorded: 0, duplicates: 1 });
      const m = await message(first.message_id);
      expect(m.status).toBe('opened');
      expect(m.events.map((e) => [e.status, e.provider_status, e.applied])).toEqual([
        ['sent', expect.stringContaining('202'), true],
        ['queued', 'processed', false],
        ['delivered', 'delivered', true],
        ['opened', 'open', true],
        ['delivered', 'delivered', false],
      ]);
      await eventually('the opened event', () =>
        statusEvents.some(
          (e) => e.message_id === first.message_id && e.status === 'opened' && e.previous_status === 'delivered',
        )
          ? true
          : undefined,
      );
    });

    it('refuses a wrongly signed SendGrid batch with 401 and stores nothing', async () => {
      const xid = (await message(first.message_id)).provider_message_id!;
      const before = await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.message_events');
      const signed = sendgrid.signedEvents([sendgrid.eventFor(xid, 'click')]);
      const tampered = Buffer.from(signed.body.toString().replace('"click"', '"spamreport"'));
      const res = await hook('sendgrid', tampered, signed.headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect((await hook('sendgrid', signed.body, { 'content-type': 'application/json' })).status).toBe(401);
      expect(await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.message_events')).toEqual(before);
      expect((await message(first.message_id)).status).toBe('opened');
    });

    it('puts a hard bounce on the suppression list: the next send is 409 and calls no provider', async () => {
      const reply = await json<SendReply>(await post('/email/send', example({ to: 'Bounce.Me@example.com' })));
      const xid = (await message(reply.message_id)).provider_message_id!;
      const signed = sendgrid.signedEvents([
        sendgrid.eventFor(xid, 'bounce', { type: 'bounce', reason: '550 5.1.1 user unknown', status: '5.1.1' }),
      ]);
      expect((await hook('sendgrid', signed.body, signed.headers)).status).toBe(200);
      expect((await message(reply.message_id)).status).toBe('bounced');
      const sent = sendgrid.sent.length;
      const requests = gmail.requests.length;
      const res = await post('/email/send', example({ to: 'bounce.me@example.com' }));
      expect(res.status).toBe(409);
      expect((await json<Problem>(res)).errors).toEqual([{ field: 'to', message: 'is suppressed (bounce)' }]);
      expect(sendgrid.sent.length).toBe(sent);
      expect(gmail.requests.length).toBe(requests);
    });

    it('handles a SendGrid batch of 500 events in one request', async () => {
      const replies = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          post('/email/send', example({ to: `batch${i}@example.com` })).then((r) => json<SendReply>(r)),
        ),
      );
      const xids = await Promise.all(replies.map(async (r) => (await message(r.message_id)).provider_message_id!));
      const kinds = ['processed', 'deferred', 'delivered', 'open', 'click'];
      const base = Math.floor(Date.now() / 1000);
      const events = Array.from({ length: 500 }, (_, i) =>
        sendgrid.eventFor(xids[i % 5], kinds[Math.floor(i / 5) % 5], { timestamp: base + Math.floor(i / 5) }),
      );
      const signed = sendgrid.signedEvents(events);
      const res = await hook('sendgrid', signed.body, signed.headers);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ received: 500, recorded: 500, duplicates: 0 });
      for (const r of replies) expect((await message(r.message_id)).status).toBe('clicked');
      const ids = replies.map((r) => r.message_id);
      expect(
        await db<{ n: number }>(
          'SELECT count(*)::int AS n FROM comms.message_events WHERE message_id = ANY($1) AND provider_event_id IS NOT NULL',
          [ids],
        ),
      ).toEqual([{ n: 500 }]);
    });

    it('fails over from a 503-ing SendGrid to Gmail, and the message shows both attempts', async () => {
      sendgrid.failNext({ status: 503, body: { errors: [{ message: 'Service Unavailable' }] } });
      const res = await post('/email/send', example({ to: 'failover@example.com' }));
      expect(res.status).toBe(200);
      const reply = await json<SendReply>(res);
      expect(reply).toMatchObject({ status: 'sent', provider: 'gmail', failover_from: 'sendgrid' });
      expect(gmail.sent.at(-1)!.headers.to).toBe('failover@example.com');
      const m = await message(reply.message_id);
      expect(m).toMatchObject({ provider: 'gmail', status: 'sent' });
      expect(m.attempts.map((a) => [a.provider, a.outcome])).toEqual([
        ['sendgrid', 'failed'],
        ['gmail', 'sent'],
      ]);
      expect(m.attempts[0].error).toContain('Service Unavailable');
    });

    it("does not fail over on a 400: 422 with SendGrid's reason", async () => {
      const gmailSent = gmail.sent.length;
      sendgrid.failNext({
        status: 400,
        body: {
          errors: [
            { message: 'The from address does not match a verified Sender Identity.', field: 'from', help: null },
          ],
        },
      });
      const res = await post('/email/send', example({ to: 'refused@example.com' }));
      expect(res.status).toBe(422);
      expect((await json<Problem>(res)).detail).toBe(
        'sendgrid refused: SendGrid: from: The from address does not match a verified Sender Identity.',
      );
      expect(gmail.sent.length).toBe(gmailSent);
      const [row] = await db<{ id: string; status: string }>(
        `SELECT id, status FROM comms.messages WHERE to_address = 'refused@example.com'`,
      );
      expect(row.status).toBe('failed');
      expect((await message(row.id)).attempts.map((a) => [a.provider, a.outcome])).toEqual([['sendgrid', 'refused']]);
    });

    it('honours Idempotency-Key: one provider call and the same answer; another body is 409', async () => {
      const sent = sendgrid.sent.length;
      const key = { 'idempotency-key': 'welcome-9f1c4c1e-1' };
      const a = await post('/email/send', example({ to: 'idem@example.com' }), key);
      const b = await post('/email/send', { ...example({ to: 'idem@example.com' }) }, key);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(await b.json()).toEqual(await a.json());
      expect(sendgrid.sent.length).toBe(sent + 1);
      const c = await post('/email/send', example({ to: 'idem@example.com', subject: 'Changed' }), key);
      expect(c.status).toBe(409);
      expect(sendgrid.sent.length).toBe(sent + 1);
      expect((await post('/email/send', example(), { 'idempotency-key': 'bad key with spaces' })).status).toBe(400);
    });

    it('refuses bad input naming each field, and an oversized HTML body with 413; nothing is stored or sent', async () => {
      const [{ n: before }] = await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.messages');
      const sent = sendgrid.requests.length;
      const bad = await post('/email/send', {
        to: 'not-an-email',
        subject: 'a\r\nBcc: x@evil.example',
        from_email: 'a@b',
        provider: 'Send Grid',
        extra: 1,
      });
      expect(bad.status).toBe(400);
      expect((await json<Problem>(bad)).errors!.map((e) => e.field).sort()).toEqual([
        'body_html',
        'extra',
        'from_email',
        'provider',
        'subject',
        'to',
      ]);
      const big = await post('/email/send', example({ body_html: `<p>${'x'.repeat(300 * 1024)}</p>` }));
      expect(big.status).toBe(413);
      expect((await json<Problem>(big)).errors).toEqual([
        { field: 'body_html', message: expect.stringContaining('bytes') },
      ]);
      const sms = await post('/sms/send', { to: '0044 20 3769 1881', body: '' });
      expect((await json<Problem>(sms)).errors!.map((e) => e.field).sort()).toEqual(['body', 'to']);
      const call = await post('/calls', { to: '+0123', agent: '' });
      expect((await json<Problem>(call)).errors!.map((e) => e.field).sort()).toEqual(['agent', 'to']);
      const inactive = await post('/sms/send', { to: '+442037691881', body: 'x', provider: 'sendgrid' });
      expect(inactive.status).toBe(400);
      expect(await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.messages')).toEqual([{ n: before }]);
      expect(sendgrid.requests.length).toBe(sent);
    });
  });

  describe('sms', () => {
    it('sends through Twilio with a StatusCallback at our public URL, and signed callbacks move the status', async () => {
      const res = await post('/sms/send', {
        to: '+442037691881',
        body: 'Your code is 123456',
        customer_id: CUSTOMER,
        event_type: 'otp',
      });
      expect(res.status).toBe(200);
      const reply = await json<SendReply>(res);
      expect(reply).toMatchObject({ status: 'queued', provider: 'twilio_sms' });
      const rec = twilio.messages.at(-1)!;
      expect(Object.fromEntries(rec.params)).toEqual({
        To: '+442037691881',
        From: TWILIO.from,
        Body: 'Your code is 123456',
        StatusCallback: `${PUBLIC}/webhooks/comms/twilio_sms?message_id=${reply.message_id}`,
      });
      for (const status of ['sent', 'delivered']) {
        const cb = twilio.messageStatusCallback(rec.sid, status);
        expect((await twilio.deliver(cb, local(cb.url))).status).toBe(200);
      }
      const late = twilio.messageStatusCallback(rec.sid, 'sent');
      expect((await twilio.deliver(late, local(late.url))).status).toBe(200);
      const m = await message(reply.message_id);
      expect(m).toMatchObject({ channel: 'sms', status: 'delivered', provider_message_id: rec.sid });

      const forged = twilio.messageStatusCallback(rec.sid, 'failed');
      const res401 = await fetch(local(forged.url), {
        method: 'POST',
        headers: { ...forged.headers, 'x-twilio-signature': 'AAAA' },
        body: forged.body,
      });
      expect(res401.status).toBe(401);
      // a signature made for another URL does not verify either
      const elsewhere = twilio.formWebhook(`${PUBLIC}/webhooks/comms/twilio_sms?message_id=other`, {
        MessageSid: rec.sid,
        MessageStatus: 'failed',
      });
      expect(
        (await fetch(local(forged.url), { method: 'POST', headers: elsewhere.headers, body: elsewhere.body })).status,
      ).toBe(401);
      expect((await message(reply.message_id)).status).toBe('delivered');
    });
  });

  describe('calls', () => {
    it('places a Zadarma call and follows its signed PBX notifications (both signature encodings); answers zd_echo', async () => {
      const res = await post('/calls', {
        to: '+442037691881',
        agent: '100',
        customer_id: CUSTOMER,
        provider: 'zadarma',
      });
      expect(res.status).toBe(200);
      const reply = await json<{ call_id: string; status: string; provider: string }>(res);
      expect(reply).toMatchObject({ status: 'initiated', provider: 'zadarma' });
      const rec = zadarma.callbacks.at(-1)!;
      expect(rec).toMatchObject({ from: '100', to: '442037691881' });
      const [start, end] = zadarma.outboundCall(rec, 'answered', 42);
      expect((await zadarma.deliver(start, `${p.gateway.url}/webhooks/comms/zadarma`)).status).toBe(200);
      expect((await message(reply.call_id)).status).toBe('ringing');
      const rawEnd = zadarma.notification(
        'NOTIFY_OUT_END',
        Object.fromEntries(Object.entries(end.fields).filter(([k]) => k !== 'event')),
        'raw',
      );
      expect((await zadarma.deliver(rawEnd, `${p.gateway.url}/webhooks/comms/zadarma`)).status).toBe(200);
      const m = await message(reply.call_id);
      expect(m).toMatchObject({ channel: 'call', status: 'completed', provider_message_id: start.fields.pbx_call_id });

      const forged = { ...end, headers: { ...end.headers, signature: 'bm90LWEtc2lnbmF0dXJl' } };
      expect((await zadarma.deliver(forged, `${p.gateway.url}/webhooks/comms/zadarma`)).status).toBe(401);
      const echo = zadarma.echoCheck(`${p.gateway.url}/webhooks/comms/zadarma`, 'zd-echo-5678');
      const answer = await fetch(echo.url);
      expect([answer.status, answer.headers.get('content-type'), await answer.text()]).toEqual([
        200,
        'text/plain',
        'zd-echo-5678',
      ]);
    });

    it('places a Voiso call with get_call_id and follows its webhooks; a wrong secret is 401', async () => {
      const res = await post('/calls', {
        to: '+442037691881',
        agent: '1002',
        customer_id: CUSTOMER,
        provider: 'voiso',
      });
      expect(res.status).toBe(200);
      const reply = await json<{ call_id: string; provider: string }>(res);
      const click = voiso.clicks.at(-1)!;
      expect(click).toMatchObject({ agent: '1002', number: '442037691881', account_id: CUSTOMER });
      const url = `${p.gateway.url}/webhooks/comms/voiso`;
      expect((await voiso.deliver(voiso.webhook('outbound.call.answered', click.callId), url)).status).toBe(200);
      expect((await message(reply.call_id)).status).toBe('answered');
      expect(
        (await voiso.deliver(voiso.webhook('outbound.call.hangup', click.callId, { secret: 'guess' }), url)).status,
      ).toBe(401);
      expect((await voiso.deliver(voiso.webhook('outbound.call.hangup', click.callId), url)).status).toBe(200);
      expect((await voiso.deliver(voiso.webhook('outbound.call.ended', click.callId), url)).status).toBe(200);
      const m = await message(reply.call_id);
      expect(m).toMatchObject({ status: 'completed', provider_message_id: click.callId });
      expect(m.events.map((e) => e.status)).toEqual(['initiated', 'answered', 'completed', null]);
    });

    it('places a Twilio Voice call to the agent that dials the lead, and follows its status callbacks', async () => {
      const res = await post('/calls', { to: '+442037691881', agent: '+15551230000', provider: 'twilio_voice' });
      expect(res.status).toBe(200);
      const reply = await json<{ call_id: string }>(res);
      const rec = twilio.calls.at(-1)!;
      expect(rec.params.get('To')).toBe('+15551230000');
      expect(rec.params.get('From')).toBe(TWILIO.from);
      expect(rec.params.get('Twiml')).toBe(
        `<Response><Dial callerId="${TWILIO.from}"><Number>+442037691881</Number></Dial></Response>`,
      );
      expect(rec.params.getAll('StatusCallbackEvent')).toEqual(['initiated', 'ringing', 'answered', 'completed']);
      for (const [status, expected] of [
        ['ringing', 'ringing'],
        ['in-progress', 'answered'],
        ['completed', 'completed'],
      ]) {
        const cb = twilio.callStatusCallback(rec.sid, status);
        expect((await twilio.deliver(cb, local(cb.url))).status).toBe(200);
        expect((await message(reply.call_id)).status).toBe(expected);
      }
      const refused = await post('/calls', { to: '+442037691881', agent: '100', provider: 'twilio_voice' });
      expect(refused.status).toBe(422);
    });
  });

  it("lists a customer's messages with their status, and 404s an unknown id", async () => {
    const res = await p.api(`/api/platform/integrations/messages?customer_id=${CUSTOMER}&status=delivered&limit=10`);
    expect(res.status).toBe(200);
    const { messages } = await json<{ messages: MessageView[] }>(res);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.customer_id === CUSTOMER && m.status === 'delivered')).toBe(true);
    expect((await p.api('/api/platform/integrations/messages?limit=500')).status).toBe(400);
    expect((await p.api('/api/platform/integrations/messages/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await p.api('/api/platform/integrations/messages/not-an-id')).status).toBe(404);
  });

  it('never puts a provider secret in the logs', () => {
    const text = p.logs.text();
    for (const s of [SG_KEY, GMAIL.clientSecret, GMAIL.refreshToken, TWILIO.token, ZD.secret, VOISO.key, VOISO.secret])
      expect(text).not.toContain(s);
  });
});
