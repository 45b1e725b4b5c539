import { connectorFailure as failure } from '@app/testing';

import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector, sendgridRequest } from './sendgrid.connector';
import { SendgridFake } from './sendgrid.fake';
import { sendgridPublicKey, verifySendgridEventWebhook } from './sendgrid.signing';

describe('sendgrid Event Webhook verification (fixed test vector)', () => {
  const PUB =
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4d8wJfbtZaMA9qzbhOeFUcynxkfDT1hCzMaabTVniYVHHF/ZGFQWmHHVb3QiswKQRStlLQ11TAYcyxbNJtQPyw==';
  const BODY =
    '[{"email":"lead@example.com","timestamp":1700000000,"event":"delivered","sg_event_id":"ZGVsaXZlcmVkLTAtMTIzNDU2Nzg5","sg_message_id":"abcDEF123xyz.filterdrecv-7bf7c8d8-1-6554B1F0-1.0"}]';
  const HEADERS = {
    'X-Twilio-Email-Event-Webhook-Signature':
      'MEQCIHba9Emxx62DdWSQaIXMGZUje/iUzznzdWotnk9PsrVoAiBtwSzr7HzG/aQ3hXwZWuvFg6O3EC6d6/3TrIA578+QNw==',
    'X-Twilio-Email-Event-Webhook-Timestamp': '1700000000',
  };

  const AT = { now: () => 1700000000_000 };

  it('accepts the vector, with the key as base64 DER or PEM', () => {
    expect(() => verifySendgridEventWebhook(PUB, BODY, HEADERS, AT)).not.toThrow();
    const pem = sendgridPublicKey(PUB).export({ format: 'pem', type: 'spki' }).toString();
    expect(() => verifySendgridEventWebhook(pem, Buffer.from(BODY), HEADERS, AT)).not.toThrow();
  });

  it("refuses the vector on today's clock: it was signed more than 72 hours ago", () => {
    expect(() => verifySendgridEventWebhook(PUB, BODY, HEADERS)).toThrow('window');
  });

  it('rejects a changed body, timestamp, missing header, stale timestamp and a bad key', () => {
    expect(() => verifySendgridEventWebhook(PUB, BODY.replace('delivered', 'bounce'), HEADERS, AT)).toThrow(
      'does not match',
    );
    expect(() =>
      verifySendgridEventWebhook(PUB, BODY, { ...HEADERS, 'X-Twilio-Email-Event-Webhook-Timestamp': '1700000001' }, AT),
    ).toThrow(ConnectorError);
    expect(() =>
      verifySendgridEventWebhook(PUB, BODY, { 'X-Twilio-Email-Event-Webhook-Timestamp': '1700000000' }, AT),
    ).toThrow('missing');
    expect(() =>
      verifySendgridEventWebhook(PUB, BODY, HEADERS, { maxFutureSeconds: 300, now: () => 1700000000_000 - 301_000 }),
    ).toThrow('window');
    expect(() =>
      verifySendgridEventWebhook(PUB, BODY, HEADERS, { maxAgeSeconds: 300, now: () => 1700000000_000 + 301_000 }),
    ).toThrow('window');
    expect(() =>
      verifySendgridEventWebhook(PUB, BODY, HEADERS, { maxAgeSeconds: 300, now: () => 1700000000_000 + 299_000 }),
    ).not.toThrow();
    expect(() => sendgridPublicKey('not-a-key')).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('sendgrid connector against SendgridFake', () => {
  const API_KEY = 'SG.fake-key.fake-secret';
  const fake = new SendgridFake({ apiKey: API_KEY });
  const config = (creds: Record<string, string> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { api_key: API_KEY, ...creds },
    settings: { base_url: fake.baseUrl, ...settings },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares the catalog manifest of docs/providers/sendgrid.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'sendgrid', category: 'email', settings: [] });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['api_key', true, true],
      ['webhook_verification_key', false, false],
    ]);
  });

  it('test() passes with the right key and calls GET /v3/scopes with a Bearer header', async () => {
    await expect(connector.test(config({ webhook_verification_key: fake.publicKeyBase64 }))).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect([r.method, r.path]).toEqual(['GET', '/v3/scopes']);
    expect(r.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(r.rejected).toBeUndefined();
  });

  it("a wrong key is auth with SendGrid's errors[0].message, never the key", async () => {
    const err = await failure(connector.test(config({ api_key: 'SG.wrong.key' })));
    expect(err).toMatchObject({
      code: 'auth',
      message: 'SendGrid: The provided authorization grant is invalid, expired, or revoked',
    });
    expect(err.message).not.toContain('SG.wrong');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('a key without mail.send is refused', async () => {
    const readOnly = await new SendgridFake({ apiKey: API_KEY, scopes: ['scopes.read'] }).start();
    try {
      const err = await failure(connector.test(config({}, { base_url: readOnly.baseUrl })));
      expect(err).toMatchObject({ code: 'refused', message: expect.stringContaining('mail.send') });
    } finally {
      await readOnly.stop();
    }
  });

  it('an unusable webhook_verification_key fails before any call', async () => {
    expect(await failure(connector.test(config({ webhook_verification_key: 'garbage' })))).toMatchObject({
      code: 'invalid_config',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('settings.base_url replaces only scheme, host and port', async () => {
    await connector.test(config({}, { base_url: `${fake.baseUrl}/v9/other` }));
    expect(fake.requests[0].path).toBe('/v3/scopes');
  });
});

describe('SendgridFake behaves like SendGrid', () => {
  const fake = new SendgridFake({ apiKey: 'SG.k' });
  const config: ConnectorConfig = { credentials: { api_key: 'SG.k' }, settings: {} };
  beforeAll(async () => {
    await fake.start();
    config.settings.base_url = fake.baseUrl;
  });
  afterAll(() => fake.stop());

  it('mail/send: 202 + X-Message-Id, 400 with errors[], 401 without the key; signed events verify', async () => {
    const mail = {
      personalizations: [{ to: [{ email: 'lead@example.com' }] }],
      from: { email: 'crm@example.com' },
      subject: 'Hi',
      content: [{ type: 'text/plain', value: 'x' }],
      custom_args: { message_id: 'm-1' },
    };
    const res = await sendgridRequest(config, 'POST', '/v3/mail/send', mail);
    expect(res.status).toBe(202);
    const messageId = res.headers.get('x-message-id');
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fake.sent[0]).toEqual({ messageId, body: mail });

    const bad = await failure(sendgridRequest(config, 'POST', '/v3/mail/send', { personalizations: [] }));
    expect(bad).toMatchObject({ code: 'refused', options: { httpStatus: 400 } });
    expect(bad.message).toContain('personalizations: The personalizations field is required');

    const unauth = await fetch(`${fake.baseUrl}/v3/mail/send`, {
      method: 'POST',
      body: JSON.stringify(mail),
      headers: { authorization: 'Bearer SG.other' },
    });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({
      errors: [
        { field: null, help: null, message: 'The provided authorization grant is invalid, expired, or revoked' },
      ],
    });
    expect(fake.sent).toHaveLength(1);

    const hook = fake.signedEvents([fake.eventFor(messageId!, 'delivered')]);
    expect(() => verifySendgridEventWebhook(fake.publicKeyBase64, hook.body, hook.headers)).not.toThrow();
    expect(() => verifySendgridEventWebhook(fake.publicKeyPem, hook.body, hook.headers)).not.toThrow();
    const [event] = JSON.parse(hook.body.toString()) as Record<string, string>[];
    expect(event).toMatchObject({ event: 'delivered', email: 'lead@example.com', message_id: 'm-1' });
    expect(event.sg_message_id.startsWith(`${messageId}.`)).toBe(true);
  });
});
