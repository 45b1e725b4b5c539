import { createHmac } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import type { ConnectorConfig } from '../../types';
import { connector } from './mailgun.connector';
import { MailgunFake } from './mailgun.fake';
import { MAILGUN_STATUSES, mailgunSignature, mailgunWebhookParser, verifyMailgunSignature } from './mailgun.webhooks';

const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const TS = '1700000000';
const TOKEN = 'a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0';
// docs/providers/mailgun.md#test-vector
const VECTOR = 'bbae38b90b188e8ae408fa55c78fd0a60ed10c03b4812e310ca9f1be258371f5';
const AT = () => 1700000000_000;

describe('mailgun webhook signature (fixed test vector)', () => {
  it('is hex HMAC-SHA256(signing key, timestamp + token), as node:crypto computes it', () => {
    const independent = createHmac('sha256', KEY)
      .update(TS + TOKEN)
      .digest('hex');
    expect(independent).toBe(VECTOR);
    expect(mailgunSignature(KEY, TS, TOKEN)).toBe(VECTOR);
    expect(verifyMailgunSignature(KEY, { timestamp: TS, token: TOKEN, signature: VECTOR }, AT)).toEqual({
      token: TOKEN,
      timestamp: 1700000000,
    });
  });

  it('refuses a forged, re-cased, missing or stale signature', () => {
    const sig = { timestamp: TS, token: TOKEN, signature: VECTOR };
    expect(() => verifyMailgunSignature('other-key', sig, AT)).toThrow('does not match');
    expect(() => verifyMailgunSignature(KEY, { ...sig, signature: VECTOR.toUpperCase() }, AT)).toThrow(
      'does not match',
    );
    expect(() => verifyMailgunSignature(KEY, { ...sig, token: `${TOKEN}x` }, AT)).toThrow('does not match');
    expect(() => verifyMailgunSignature(KEY, { timestamp: TS, token: TOKEN }, AT)).toThrow('missing');
    expect(() => verifyMailgunSignature(KEY, undefined, AT)).toThrow(
      expect.objectContaining({ code: 'bad_signature' }),
    );
    expect(() => verifyMailgunSignature(KEY, sig, () => 1700000000_000 + 15 * 60_000 + 1000)).toThrow('window');
    expect(() => verifyMailgunSignature(KEY, sig, () => 1700000000_000 - 15 * 60_000 - 1000)).toThrow('window');
    expect(() => verifyMailgunSignature(KEY, sig, () => 1700000000_000 + 14 * 60_000)).not.toThrow();
    // today's clock: the vector is years old
    expect(() => verifyMailgunSignature(KEY, sig)).toThrow('window');
  });
});

describe('mailgun connector against MailgunFake', () => {
  const API_KEY = 'mg-private-key-0123456789abcdef';
  const DOMAIN = 'mg.broker.example';
  const SIGNING = 'mg-signing-key-fedcba9876543210';
  const fake = new MailgunFake({ apiKey: API_KEY, domain: DOMAIN, signingKey: SIGNING });
  const config = (creds: Record<string, string> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { api_key: API_KEY, domain: DOMAIN, webhook_signing_key: SIGNING, ...creds },
    settings: { base_url: fake.baseUrl, ...settings },
  });
  const opts = { statusCallbackUrl: 'https://public.example/webhooks/comms/mailgun?message_id=m' };
  const cb = (body: Buffer) => ({
    method: 'POST',
    url: 'https://public.example/webhooks/comms/mailgun',
    headers: {},
    body,
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares its manifest: labelled credential fields, secrets flagged, documented hosts only', () => {
    expect(connector.manifest).toMatchObject({ key: 'mailgun', category: 'email' });
    expect(connector.manifest.hosts).toEqual(['api.mailgun.net', 'api.eu.mailgun.net']);
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required, !!f.label])).toEqual([
      ['api_key', true, true, true],
      ['domain', false, true, true],
      ['webhook_signing_key', true, false, true],
      ['from_email', false, false, true],
    ]);
  });

  it('test() calls GET /v3/domains/<domain> with Basic api:<key>; a wrong key is auth, an unknown domain refused', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    const [r] = fake.requests;
    expect([r.method, r.path]).toEqual(['GET', `/v3/domains/${DOMAIN}`]);
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`api:${API_KEY}`).toString('base64')}`);
    const wrong = await failure(connector.test(config({ api_key: 'nope' })));
    expect([wrong.code, wrong.options.httpStatus]).toEqual(['auth', 401]);
    expect(wrong.message).not.toContain('nope');
    expect((await failure(connector.test(config({ domain: 'other.example' })))).code).toBe('refused');
    expect((await failure(connector.test(config({}, { region: 'mars' })))).code).toBe('invalid_config');
  });

  it('sends a urlencoded message with our id as v:message_id and tracking on; the id loses its brackets', async () => {
    const res = await connector.email!.send(
      config(),
      {
        messageId: 'msg-1',
        to: 'lead@example.com',
        subject: 'Hi',
        html: '<p>Hi</p>',
        text: 'Hi',
        fromEmail: 'crm@broker.example',
        fromName: 'Broker',
      },
      opts,
    );
    const [mail] = fake.sent;
    expect(res).toEqual({ providerMessageId: mail.id, status: 'sent', providerStatus: 'Queued. Thank you.' });
    expect(Object.fromEntries(mail.form)).toEqual({
      from: '"Broker" <crm@broker.example>',
      to: 'lead@example.com',
      subject: 'Hi',
      text: 'Hi',
      html: '<p>Hi</p>',
      'v:message_id': 'msg-1',
      'o:tracking': 'yes',
    });
    expect(fake.requests[0].path).toBe(`/v3/${DOMAIN}/messages`);
    await expect(
      connector.email!.send(config(), { messageId: 'm', to: 'a@example.com', subject: 's' }, opts),
    ).rejects.toMatchObject({ code: 'refused' });
    fake.failNext({ status: 500, body: { message: 'internal' } });
    const e = await failure(
      connector.email!.send(
        config({ from_email: 'd@broker.example' }),
        { messageId: 'm', to: 'a@example.com', subject: 's', text: 't' },
        opts,
      ),
    );
    expect([e.code, e.retryable]).toEqual(['provider_error', true]);
  });

  it("maps the fake's signed events and declares the token as single-use", async () => {
    await connector.email!.send(
      config(),
      { messageId: 'msg-2', to: 'Lead@Example.com', subject: 'Hi', text: 'Hi', fromEmail: 'a@broker.example' },
      opts,
    );
    const parse = connector.email!.parseCallback!;
    const delivered = fake.signedEvent('msg-2', 'delivered');
    const r = parse(config(), cb(delivered.body));
    expect(r.replayGuard).toEqual({ token: delivered.token, ttlMs: expect.any(Number) });
    expect(r.replayGuard!.ttlMs).toBeGreaterThanOrEqual(2 * 15 * 60_000);
    expect(r.events).toEqual([
      expect.objectContaining({
        messageId: 'msg-2',
        providerMessageId: fake.sent[0].id,
        status: 'delivered',
        providerStatus: 'delivered',
      }),
    ]);
    const ev = (event: string, extra: Record<string, unknown> = {}) =>
      parse(config(), cb(fake.signedEvent('msg-2', event, extra).body)).events[0];
    expect([ev('opened').status, ev('clicked').status, ev('accepted').status, ev('rejected').status]).toEqual([
      'opened',
      'clicked',
      'queued',
      'failed',
    ]);
    expect(ev('failed', { severity: 'permanent', reason: 'bounce' })).toMatchObject({
      status: 'bounced',
      providerStatus: 'failed:permanent',
      suppress: { address: 'Lead@Example.com', reason: 'bounce' },
    });
    expect(ev('failed', { severity: 'temporary' })).toMatchObject({ status: null, providerStatus: 'failed:temporary' });
    expect(ev('failed', { severity: 'temporary' }).suppress).toBeUndefined();
    expect(ev('complained').suppress).toEqual({ address: 'Lead@Example.com', reason: 'spam' });
    expect(ev('unsubscribed')).toMatchObject({ status: 'unsubscribed', suppress: { reason: 'unsubscribe' } });
    expect(ev('constructor').status).toBeNull();
    expect(MAILGUN_STATUSES).toEqual(
      expect.arrayContaining(['accepted', 'delivered', 'failed:permanent', 'complained', 'stored']),
    );
  });

  it('refuses unsigned, tampered, wrongly keyed and stale webhooks, and any without a signing key', () => {
    const parse = connector.email!.parseCallback!;
    const { body } = fake.signedEvent('x', 'delivered');
    const json = JSON.parse(body.toString()) as { signature: Record<string, string>; 'event-data': unknown };
    const refused = (b: unknown, c = config()) => {
      try {
        parse(c, cb(Buffer.from(typeof b === 'string' ? b : JSON.stringify(b))));
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(refused({ 'event-data': json['event-data'] })).toBe('bad_signature');
    expect(refused('not json')).toBe('bad_signature');
    expect(
      refused({ ...json, signature: { ...json.signature, timestamp: String(Number(json.signature.timestamp) + 1) } }),
    ).toBe('bad_signature');
    expect(refused(json, config({ webhook_signing_key: 'other' }))).toBe('bad_signature');
    expect(refused(json, config({ webhook_signing_key: '' }))).toBe('bad_signature');
    const old = fake.signedEvent('x', 'delivered', {}, { timestamp: Math.floor(Date.now() / 1000) - 16 * 60 });
    expect(() => parse(config(), cb(old.body))).toThrow('window');
    expect(() => mailgunWebhookParser(() => Date.now() - 16 * 60_000)(config(), cb(body))).toThrow('window');
    // the body is not signed: a changed event with the same signature verifies here, and comms refuses the token's reuse
    expect(refused({ ...json, 'event-data': { ...(json['event-data'] as object), event: 'opened' } })).toBe('accepted');
  });
});
