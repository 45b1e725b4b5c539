import { connect, type NatsConnection } from '@nats-io/transport-node';

import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { TwilioFake } from '@app/connectors/providers/twilio/twilio.fake';
import type { MessageView, ProviderChangedEvent, SendReply } from '@app/contracts';
import { eventually, queryRows } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

// Same setup as comms.e2e-spec.ts (own database and subject prefix): provider swaps in flight, the
// suppression list across swaps and event kinds, SMS Idempotency-Key, and forged Twilio Voice callbacks.

const PUBLIC = 'https://integrations.broker.example';
const SG_KEY = 'SG.comms-extra-key-abcdefghijklmnop-1234';
const GMAIL = {
  clientId: 'client-10.apps.googleusercontent.com',
  clientSecret: 'gmail-secret-comms-2',
  refreshToken: '1//refresh-comms-2',
  senderEmail: 'crm@broker.example',
};
const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdee', token: 'twilio-auth-token-comms-2', from: '+15005550006' };
/** Long enough for a default swap to complete while SendGrid holds the request, below COMMS_PROVIDER_TIMEOUT_MS (10 s). */
const SLOW_MS = 6000;

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

const example = (over: Record<string, unknown> = {}) => ({
  to: 'john.doe@example.com',
  subject: 'Welcome to trading',
  body_html: '<p>Hello John</p>',
  from_email: 'support@broker.example',
  ...over,
});

describe('communications through the gateway: swaps, suppression, idempotency, forged voice callbacks', () => {
  let p: Platform;
  let nc: NatsConnection;
  let sendgrid: SendgridFake;
  let gmail: GmailFake;
  let twilio: TwilioFake;
  const providerEvents: ProviderChangedEvent[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    p.api(`/api/platform/integrations${path}`, { method: 'POST', json: body, headers });
  const message = async (id: string) => json<MessageView>(await p.api(`/api/platform/integrations/messages/${id}`));
  const local = (publicUrl: string) => `${p.gateway.url}${publicUrl.slice(PUBLIC.length)}`;
  const hook = (provider: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${p.gateway.url}/webhooks/comms/${provider}`, { method: 'POST', body, headers });
  const mailSends = () => sendgrid.requests.filter((r) => r.path === '/v3/mail/send').length;

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    queryRows<T>(p.infra.databaseUrl, sql, params);
  const eventCount = async () => (await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.message_events'))[0].n;

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

  /** Sends through SendGrid and posts one signed event of `kind` about it; the address is then suppressed. */
  async function suppressVia(to: string, kind: string, extra: Record<string, unknown> = {}) {
    const res = await post('/email/send', example({ to }));
    expect(res.status).toBe(200);
    const reply = await json<SendReply>(res);
    expect(reply.provider).toBe('sendgrid');
    const xid = (await message(reply.message_id)).provider_message_id!;
    const signed = sendgrid.signedEvents([sendgrid.eventFor(xid, kind, extra)]);
    const delivered = await hook('sendgrid', signed.body, signed.headers);
    expect(delivered.status).toBe(200);
    expect(await delivered.json()).toMatchObject({ received: 1, recorded: 1 });
    return reply;
  }

  /** A send to `to` is 409 naming the suppression reason, and reaches neither email fake. */
  async function expectSuppressed(to: string, reason: string) {
    const [sgBefore, gmailBefore] = [sendgrid.requests.length, gmail.requests.length];
    const [{ n: before }] = await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.messages');
    const res = await post('/email/send', example({ to }));
    expect(res.status).toBe(409);
    expect((await json<Problem>(res)).errors).toEqual([{ field: 'to', message: `is suppressed (${reason})` }]);
    expect(sendgrid.requests.length).toBe(sgBefore);
    expect(gmail.requests.length).toBe(gmailBefore);
    expect(await db<{ n: number }>('SELECT count(*)::int AS n FROM comms.messages')).toEqual([{ n: before }]);
  }

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    gmail = await new GmailFake(GMAIL).start();
    twilio = await new TwilioFake(TWILIO.sid, TWILIO.token).start();
    p = await startPlatform({ services: ['catalog', 'comms'], env: { PUBLIC_BASE_URL: PUBLIC } });
    nc = await connect({ servers: p.infra.natsUrl });
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
    await activate('twilio_voice', { credentials: twilioCreds, settings: { base_url: twilio.baseUrl } });
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    for (const f of [sendgrid, gmail, twilio]) await f?.stop();
  });

  it('finishes a send in flight on the provider it started with when the default is swapped meanwhile', async () => {
    const [sgSent, gmailSent, sgCalls] = [sendgrid.sent.length, gmail.sent.length, mailSends()];
    sendgrid.slowDown(SLOW_MS);
    try {
      const pending = post('/email/send', example({ to: 'inflight@example.com' }));
      // the request has reached SendGrid (which now holds it): the swap happens while it is in flight
      await eventually('the send to reach SendGrid', () => (mailSends() > sgCalls ? true : undefined));
      await setEmailDefault('gmail');
      const res = await pending;
      expect(res.status).toBe(200);
      const reply = await json<SendReply>(res);
      expect(reply).toEqual({ message_id: expect.any(String), status: 'sent', provider: 'sendgrid' });
      expect(sendgrid.sent.slice(sgSent).map((m) => m.body.personalizations?.[0]?.to?.[0]?.email)).toEqual([
        'inflight@example.com',
      ]);
      expect(gmail.sent.length).toBe(gmailSent);
      const m = await message(reply.message_id);
      expect(m).toMatchObject({
        provider: 'sendgrid',
        status: 'sent',
        provider_message_id: sendgrid.sent.at(-1)!.messageId,
      });
      expect(m.attempts.map((a) => [a.provider, a.outcome])).toEqual([['sendgrid', 'sent']]);
    } finally {
      sendgrid.slowDown(0);
    }
    // the swap itself took effect: the next send goes out through Gmail
    const after = await json<SendReply>(await post('/email/send', example({ to: 'after-swap@example.com' })));
    expect(after.provider).toBe('gmail');
    expect(gmail.sent.at(-1)!.headers.to).toBe('after-swap@example.com');
    await setEmailDefault('sendgrid');
  });

  it('suppresses an address after a SendGrid spamreport and after an unsubscribe', async () => {
    const spam = await suppressVia('spam.report@example.com', 'spamreport');
    expect((await message(spam.message_id)).status).toBe('spam');
    await expectSuppressed('spam.report@example.com', 'spam');
    const unsub = await suppressVia('unsub.scriber@example.com', 'unsubscribe');
    expect((await message(unsub.message_id)).status).toBe('unsubscribed');
    await expectSuppressed('unsub.scriber@example.com', 'unsubscribe');
    // another address is not affected
    expect((await post('/email/send', example({ to: 'still.fine@example.com' }))).status).toBe(200);
  });

  it('honours Idempotency-Key on SMS: the same answer and one Twilio call; another body is 409', async () => {
    const before = twilio.messages.length;
    const key = { 'idempotency-key': 'otp-9f1c4c1e-sms-1' };
    const body = { to: '+442037691882', body: 'Your code is 654321', event_type: 'otp' };
    const a = await post('/sms/send', body, key);
    // the same body with its keys in another order is the same request
    const b = await post('/sms/send', { event_type: 'otp', body: 'Your code is 654321', to: '+442037691882' }, key);
    expect([a.status, b.status]).toEqual([200, 200]);
    const first = await json<SendReply>(a);
    expect(first).toMatchObject({ status: 'queued', provider: 'twilio_sms' });
    expect(await b.json()).toEqual(first);
    expect(twilio.messages.length).toBe(before + 1);
    const c = await post('/sms/send', { ...body, body: 'Your code is 000000' }, key);
    expect(c.status).toBe(409);
    expect((await json<Problem>(c)).errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    expect(twilio.messages.length).toBe(before + 1);
    const [{ n }] = await db<{ n: number }>(
      `SELECT count(*)::int AS n FROM comms.messages WHERE to_address = '+442037691882'`,
    );
    expect(n).toBe(1);
    // a fresh key is a new send
    expect((await post('/sms/send', body, { 'idempotency-key': 'otp-9f1c4c1e-sms-2' })).status).toBe(200);
    expect(twilio.messages.length).toBe(before + 2);
  });

  it('refuses a wrongly signed Twilio Voice status callback with 401 and stores nothing', async () => {
    const res = await post('/calls', { to: '+442037691881', agent: '+15551230000', provider: 'twilio_voice' });
    expect(res.status).toBe(200);
    const { call_id } = await json<{ call_id: string }>(res);
    const rec = twilio.calls.at(-1)!;
    const statusBefore = (await message(call_id)).status;
    const before = await eventCount();

    const good = twilio.callStatusCallback(rec.sid, 'completed');
    const garbled = await fetch(local(good.url), {
      method: 'POST',
      headers: { ...good.headers, 'x-twilio-signature': 'AAAA' },
      body: good.body,
    });
    expect(garbled.status).toBe(401);
    expect(garbled.headers.get('content-type')).toMatch(/problem\+json/);
    // well-formed, but made with another account's auth token
    const forged = new TwilioFake(TWILIO.sid, 'some-other-auth-token').formWebhook(
      good.url,
      Object.fromEntries(new URLSearchParams(good.body)),
    );
    expect(
      (await fetch(local(forged.url), { method: 'POST', headers: forged.headers, body: forged.body })).status,
    ).toBe(401);
    // a correctly signed body with one field changed
    const tampered = good.body.replace('CallStatus=completed', 'CallStatus=busy');
    expect((await fetch(local(good.url), { method: 'POST', headers: good.headers, body: tampered })).status).toBe(401);
    const unsigned = Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== 'x-twilio-signature'));
    expect((await fetch(local(good.url), { method: 'POST', headers: unsigned, body: good.body })).status).toBe(401);

    expect(await eventCount()).toBe(before);
    expect((await message(call_id)).status).toBe(statusBefore);
    // the genuine callback is still accepted afterwards
    expect((await twilio.deliver(good, local(good.url))).status).toBe(200);
    expect((await message(call_id)).status).toBe('completed');
  });
});
