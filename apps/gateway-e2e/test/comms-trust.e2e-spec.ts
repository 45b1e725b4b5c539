import { join } from 'node:path';

import { connect, type NatsConnection } from '@nats-io/transport-node';

import { PROVIDERS_DIR } from '@app/connectors';
import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { TwilioFake } from '@app/connectors/providers/twilio/twilio.fake';
import { ZadarmaFake } from '@app/connectors/providers/zadarma/zadarma.fake';
import type { MessageView, ProviderChangedEvent, SendReply } from '@app/contracts';
import { eventually, FakeServer, queryRows } from '@app/testing';

import { createCatalogService } from '../../catalog/src/definition';
import { PROVIDER_SEED } from '../../catalog/src/seed/providers.seed';
import { startPlatform, type Platform } from '../src/platform';

// Trust boundaries of comms: header injection into Gmail, Zadarma notifications whose signature does
// not cover the outcome, the zd_echo reflection, Idempotency-Key expiry, and a catalog that knows a
// provider this comms build has no port for (a rolling deploy).

const GMAIL = {
  clientId: 'client-11.apps.googleusercontent.com',
  clientSecret: 'gmail-secret-trust-1',
  refreshToken: '1//refresh-trust-1',
  senderEmail: 'crm@broker.example',
};
const TWILIO = { sid: 'AC0123456789abcdef0123456789abcdef', token: 'twilio-auth-token-trust-1', from: '+15005550006' };
const ZD = { key: 'zd-user-key-trust', secret: 'zd-secret-trust-1' };
const TTL_MS = 1500;

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

/** The fixture provider's account check, so it can be activated with verification. */
class FixtureSmsFake extends FakeServer {
  constructor() {
    super();
    this.route('GET', /^\/v2\/accounts\/acme$/, () => ({ status: 200, body: { account: 'acme', status: 'active' } }));
  }
}

describe('communications: trust boundaries', () => {
  let p: Platform;
  let nc: NatsConnection;
  let gmail: GmailFake;
  let twilio: TwilioFake;
  let zadarma: ZadarmaFake;
  let fixture: FixtureSmsFake;
  const providerEvents: ProviderChangedEvent[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    p.api(`/api/platform/integrations${path}`, { method: 'POST', json: body, headers });
  const message = async (id: string) => json<MessageView>(await p.api(`/api/platform/integrations/messages/${id}`));
  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    queryRows<T>(p.infra.databaseUrl, sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await db<{ n: number }>(sql, params))[0].n;
  const hookUrl = () => `${p.gateway.url}/webhooks/comms/zadarma`;

  async function activate(key: string, body: unknown) {
    const res = await p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
    expect(res.status).toBe(200);
  }

  /** A catalog change reaches comms through evt.catalog.provider.changed; wait until that event is out. */
  async function changed(what: string, change: () => Promise<Response>, done: (e: ProviderChangedEvent) => boolean) {
    const before = providerEvents.length;
    expect((await change()).status).toBe(200);
    await eventually(what, () => (providerEvents.slice(before).some(done) ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
  }

  beforeAll(async () => {
    gmail = await new GmailFake(GMAIL).start();
    twilio = await new TwilioFake(TWILIO.sid, TWILIO.token).start();
    zadarma = await new ZadarmaFake(ZD.key, ZD.secret).start();
    fixture = await new FixtureSmsFake().start();
    // the catalog is a release ahead: it knows fixture_sms, which this comms build has no connector for
    const catalog = createCatalogService({
      connectorDirs: [PROVIDERS_DIR, join(__dirname, 'fixtures/providers')],
      seed: [...PROVIDER_SEED, { key: 'fixture_sms' }],
    });
    p = await startPlatform({
      services: ['catalog', 'comms'],
      definitions: { catalog },
      env: { COMMS_IDEMPOTENCY_TTL_MS: String(TTL_MS) },
    });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.evt.catalog.provider.changed`, {
      callback: (_e, m) => {
        providerEvents.push(m.json<ProviderChangedEvent>());
      },
    });
    await nc.flush();
    await activate('gmail', {
      credentials: {
        client_id: GMAIL.clientId,
        client_secret: GMAIL.clientSecret,
        refresh_token: GMAIL.refreshToken,
        sender_email: GMAIL.senderEmail,
      },
      settings: { base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` },
    });
    await activate('zadarma', {
      credentials: { api_key: ZD.key, api_secret: ZD.secret },
      settings: { base_url: zadarma.baseUrl },
    });
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    for (const f of [gmail, twilio, zadarma, fixture]) await f?.stop();
  });

  describe('email headers', () => {
    const body = (over: Record<string, unknown>) => ({
      to: 'lead@example.com',
      subject: 'Welcome',
      body_html: '<p>Hi</p>',
      from_name: 'Broker',
      ...over,
    });

    it('refuses a control character in any address, name or subject with 400 naming the field; nothing is stored or sent', async () => {
      const messages = await count('SELECT count(*)::int AS n FROM comms.messages');
      const sent = gmail.sent.length;
      for (const [field, over] of [
        ['to', { to: '"x\r\nBcc: v@evil.example"@example.com' }],
        ['to', { to: '"x\r\n\r\nreplaced"@example.com' }],
        ['from_email', { from_email: '"y\nReply-To: w@evil.example"@example.com' }],
        ['from_name', { from_name: 'Broker\u0000' }],
        ['subject', { subject: 'Hi\tthere\u001b' }],
      ] as const) {
        const res = await post('/email/send', body(over));
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/problem\+json/);
        expect((await json<Problem>(res)).errors!.map((e) => e.field)).toEqual([field]);
      }
      expect(gmail.sent.length).toBe(sent);
      expect(await count('SELECT count(*)::int AS n FROM comms.messages')).toBe(messages);
    });

    it('sends through Gmail a MIME message MailComposer built: one To, the name quoted or encoded, no Bcc', async () => {
      const res = await post(
        '/email/send',
        body({
          from_name: 'Équipe, Support <x@evil.example>',
          subject: 'Café ✓',
          from_email: 'support@broker.example',
        }),
      );
      expect(res.status).toBe(200);
      const sent = gmail.sent.at(-1)!;
      expect(sent.headers.to).toBe('lead@example.com');
      expect(sent.headers.from).toMatch(/<crm@broker\.example>$/);
      expect(sent.headers.from).not.toContain('x@evil.example>,');
      expect(sent.headers['reply-to']).toBe('support@broker.example');
      expect(sent.headers.bcc).toBeUndefined();
      expect(sent.headers.subject).toMatch(/^=\?UTF-8\?/i);
    });
  });

  describe('zadarma notifications', () => {
    async function placeCall(to: string) {
      const res = await post('/calls', { to, agent: '100', provider: 'zadarma' });
      expect(res.status).toBe(200);
      const { call_id: id } = await json<{ call_id: string }>(res);
      return { id, rec: zadarma.callbacks.at(-1)! };
    }
    const details = (id: string) =>
      db<{ provider_status: string; applied: boolean; details: Record<string, unknown> | null }>(
        'SELECT provider_status, applied, details FROM comms.message_events WHERE message_id = $1 ORDER BY id',
        [id],
      );

    it("takes a call's outcome and duration from Zadarma's statistics: a start signature replayed as an answered end of an hour records what Zadarma lists", async () => {
      const { id, rec } = await placeCall('+442037691881');
      const [start, end] = zadarma.outboundCall(rec, 'no answer', 0);
      expect((await zadarma.deliver(start, hookUrl())).status).toBe(200);
      expect((await message(id)).status).toBe('ringing');
      // the same three signed fields, so the start's Signature verifies for an end
      const forged = {
        ...start,
        body: new URLSearchParams({
          ...start.fields,
          event: 'NOTIFY_OUT_END',
          disposition: 'answered',
          duration: '3600',
        }).toString(),
      };
      expect((await zadarma.deliver(forged, hookUrl())).status).toBe(200);
      expect((await message(id)).status).toBe('no_answer');
      // the real end is the same event under the signed fields: a duplicate, and no second lookup
      const lookups = zadarma.requests.filter((r) => r.path === '/v1/statistics/pbx/').length;
      const again = await zadarma.deliver(end, hookUrl());
      expect(await again.json()).toMatchObject({ recorded: 0, duplicates: 1 });
      expect(zadarma.requests.filter((r) => r.path === '/v1/statistics/pbx/')).toHaveLength(lookups);
      // a replay with another (unsigned) pbx_call_id is a duplicate too, not a new event
      const replay = { ...start, body: new URLSearchParams({ ...start.fields, pbx_call_id: 'in_other' }).toString() };
      expect(await (await zadarma.deliver(replay, hookUrl())).json()).toMatchObject({ recorded: 0, duplicates: 1 });
      const rows = await details(id);
      expect(rows.at(-1)).toMatchObject({
        provider_status: 'NOTIFY_OUT_END:no answer',
        applied: true,
        details: { duration_seconds: 0, confirmed: true },
      });
      expect(rows.some((r) => r.details?.duration_seconds === 3600)).toBe(false);
      expect(zadarma.requests.some((r) => r.path === '/v1/statistics/pbx/' && !r.rejected)).toBe(true);
    });

    it('records an end it cannot confirm as unconfirmed, visible on the message, and leaves the call as it was', async () => {
      const { id, rec } = await placeCall('+442037691889');
      const [start, end] = zadarma.outboundCall(rec, 'answered', 60);
      zadarma.stats.pop(); // not listed by Zadarma (yet)
      expect((await zadarma.deliver(start, hookUrl())).status).toBe(200);
      expect((await zadarma.deliver(end, hookUrl())).status).toBe(200);
      const m = await message(id);
      expect(m.status).toBe('ringing');
      expect(m.events.at(-1)).toMatchObject({
        status: 'completed',
        provider_status: 'NOTIFY_OUT_END:answered (unconfirmed)',
        applied: false,
      });
      expect((await details(id)).at(-1)!.details).toMatchObject({
        claimed_duration_seconds: 60,
        claimed_disposition: 'answered',
        unconfirmed: expect.any(String),
      });
    });

    it('answers zd_echo as text/plain with X-Content-Type-Options: nosniff', async () => {
      const echo = zadarma.echoCheck(hookUrl(), 'zd-echo-9876');
      const res = await fetch(echo.url);
      expect([
        res.status,
        res.headers.get('content-type'),
        res.headers.get('x-content-type-options'),
        await res.text(),
      ]).toEqual([200, 'text/plain', 'nosniff', 'zd-echo-9876']);
    });
  });

  describe('sms', () => {
    it('forgets an Idempotency-Key after COMMS_IDEMPOTENCY_TTL_MS: the row is purged and the key can be used again', async () => {
      await activate('twilio_sms', {
        credentials: { account_sid: TWILIO.sid, auth_token: TWILIO.token, from_number: TWILIO.from },
        settings: { base_url: twilio.baseUrl },
      });
      const key = { 'idempotency-key': 'otp-trust-1' };
      expect((await post('/sms/send', { to: '+442037691881', body: 'code 1' }, key)).status).toBe(200);
      expect((await post('/sms/send', { to: '+442037691881', body: 'code 2' }, key)).status).toBe(409);
      await eventually('the expired key to be purged', async () =>
        (await count(`SELECT count(*)::int AS n FROM comms.idempotency_keys WHERE key = 'otp-trust-1'`)) === 0
          ? true
          : undefined,
      );
      const reused = await post('/sms/send', { to: '+442037691881', body: 'code 2' }, key);
      expect(reused.status).toBe(200);
      expect(twilio.messages.at(-1)!.params.get('Body')).toBe('code 2');
    });

    it('never calls the provider again for a key whose first request was interrupted mid-flight: 409, every retry the same answer', async () => {
      await activate('twilio_sms', {
        credentials: { account_sid: TWILIO.sid, auth_token: TWILIO.token, from_number: TWILIO.from },
        settings: { base_url: twilio.baseUrl },
      });
      const key = { 'idempotency-key': 'otp-crash-1' };
      const body = { to: '+442037691883', body: 'code 3' };
      const sentBefore = twilio.messages.length;
      expect((await post('/sms/send', body, key)).status).toBe(200);
      expect(twilio.messages.length).toBe(sentBefore + 1);
      // as a comms replica leaves it when SIGKILLed after the provider call, before the answer was stored
      await db(
        `UPDATE comms.idempotency_keys SET state = 'pending', response = NULL, updated_at = now() - interval '10 minutes' WHERE key = 'otp-crash-1'`,
      );
      for (let i = 0; i < 2; i++) {
        const retry = await post('/sms/send', body, key);
        expect(retry.status).toBe(409);
        expect(((await retry.json()) as { detail: string }).detail).toMatch(/interrupted/);
      }
      expect(twilio.messages.length).toBe(sentBefore + 1);
    });

    it('fails over before writing anything when the default provider has no SMS port here (catalog newer than comms)', async () => {
      await activate('fixture_sms', {
        credentials: { account: 'acme', token: 'fx-token-1234567890' },
        settings: { base_url: fixture.baseUrl },
      });
      await changed(
        'fixture_sms as the SMS default',
        () =>
          p.api('/api/platform/integrations/categories/sms/default', {
            method: 'PUT',
            json: { provider: 'fixture_sms' },
          }),
        (e) => e.default_provider === 'fixture_sms',
      );
      const res = await post('/sms/send', { to: '+442037691882', body: 'hello' });
      expect(res.status).toBe(200);
      const reply = await json<SendReply>(res);
      expect(reply).toMatchObject({ provider: 'twilio_sms', failover_from: 'fixture_sms', status: 'queued' });
      expect(await count(`SELECT count(*)::int AS n FROM comms.messages WHERE provider = 'fixture_sms'`)).toBe(0);

      // with no other SMS provider: 409, and no message is left queued
      await changed(
        'twilio_sms deactivated',
        () => p.api('/api/platform/integrations/providers/twilio_sms/deactivate', { method: 'POST' }),
        (e) => e.key === 'twilio_sms' && e.action === 'deactivated',
      );
      const before = await count('SELECT count(*)::int AS n FROM comms.messages');
      const refused = await post('/sms/send', { to: '+442037691883', body: 'hello' });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      expect(await count('SELECT count(*)::int AS n FROM comms.messages')).toBe(before);
      expect(
        await count(
          `SELECT count(*)::int AS n FROM comms.messages WHERE status = 'queued' AND NOT EXISTS (SELECT 1 FROM comms.message_attempts a WHERE a.message_id = messages.id)`,
        ),
      ).toBe(0);
    });
  });
});
