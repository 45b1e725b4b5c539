import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector } from './twilio_sms.connector';
import { TwilioFake } from './twilio.fake';
import { twilioSignature, validateTwilioJsonSignature, validateTwilioSignature } from './twilio.shared';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0001';

describe('twilio_sms connector', () => {
  const fake = new TwilioFake(SID, TOKEN);
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const config = (
    over: Partial<Record<string, string>> = {},
    settings: Record<string, unknown> = {},
  ): ConnectorConfig => ({
    credentials: { account_sid: SID, auth_token: TOKEN, from_number: '+15005550006', ...over },
    settings: { base_url: fake.baseUrl, ...settings },
  });
  const failure = (c: ConnectorConfig) =>
    connector.test(c).then(
      () => null,
      (e: unknown) => e as ConnectorError,
    );

  it('declares the manifest of docs/providers/twilio_sms.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'twilio_sms', category: 'sms' });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret])).toEqual([
      ['account_sid', false],
      ['auth_token', true],
      ['from_number', false],
    ]);
    expect(connector.manifest.settings.map((s) => s.name)).toEqual(['messaging_service_sid']);
  });

  it('passes with the right credentials, fetching the account with basic auth', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req.method).toBe('GET');
    expect(req.path).toBe(`/2010-04-01/Accounts/${SID}.json`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(req.rejected).toBeUndefined();
  });

  it("fails with code auth and Twilio's own reason on a wrong token, never echoing the token", async () => {
    const err = await failure(config({ auth_token: 'wrong-token-xyz' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err?.code).toBe('auth');
    expect(err?.message).toContain('Authenticate');
    expect(err?.message).toContain('20003');
    expect(err?.message).not.toContain('wrong-token-xyz');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('settings.base_url replaces scheme, host and port only', async () => {
    await connector.test(config({}, { base_url: `${fake.baseUrl}/some/prefix/` }));
    expect(fake.requests[0].path).toBe(`/2010-04-01/Accounts/${SID}.json`);
  });

  it('needs a sender: from_number or messaging_service_sid', async () => {
    expect((await failure(config({ from_number: '' })))?.code).toBe('invalid_config');
    expect(fake.requests).toHaveLength(0);
    await expect(
      connector.test(config({ from_number: '' }, { messaging_service_sid: 'MG0123' })),
    ).resolves.toBeUndefined();
  });

  it('reports a suspended account and a rate limit', async () => {
    fake.accountStatus = 'suspended';
    try {
      expect((await failure(config()))?.code).toBe('refused');
    } finally {
      fake.accountStatus = 'active';
    }
    fake.rateLimitNext();
    const err = await failure(config());
    expect(err?.code).toBe('rate_limited');
    expect(err?.message).toContain('20429');
  });

  describe('X-Twilio-Signature (fixed test vectors)', () => {
    const token = 'test-auth-token-123';
    const url = 'https://crm.example.com/hooks/twilio/sms-status';
    const params = {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      MessageStatus: 'delivered',
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      From: '+15005550006',
      To: '+15551234567',
      ApiVersion: '2010-04-01',
    };

    it('computes and validates the form signature', () => {
      expect(twilioSignature(token, url, params)).toBe('nQeIuqADaRQomyoPVd6ntdkcSkk=');
      expect(validateTwilioSignature(token, 'nQeIuqADaRQomyoPVd6ntdkcSkk=', url, new URLSearchParams(params))).toBe(
        true,
      );
      // Twilio may have signed with the default port spelled out: both forms are accepted.
      expect(
        validateTwilioSignature(
          token,
          'nQeIuqADaRQomyoPVd6ntdkcSkk=',
          'https://crm.example.com:443/hooks/twilio/sms-status',
          params,
        ),
      ).toBe(true);
      expect(
        validateTwilioSignature(token, 'nQeIuqADaRQomyoPVd6ntdkcSkk=', url, { ...params, MessageStatus: 'failed' }),
      ).toBe(false);
      expect(validateTwilioSignature('other-token', 'nQeIuqADaRQomyoPVd6ntdkcSkk=', url, params)).toBe(false);
      expect(validateTwilioSignature(token, undefined, url, params)).toBe(false);
    });

    it('validates the JSON bodySHA256 variant, body hash included', () => {
      const body = '{"event":"test"}';
      const signedUrl =
        'https://crm.example.com/hooks/twilio/json?bodySHA256=2d9c95a7b02d34fcd937555555970ef0183483946d5268fbcf68a324674be708';
      expect(twilioSignature(token, signedUrl)).toBe('qu4INW9KssJVg4X7zgPjoCFormE=');
      expect(validateTwilioJsonSignature(token, 'qu4INW9KssJVg4X7zgPjoCFormE=', signedUrl, body)).toBe(true);
      expect(validateTwilioJsonSignature(token, 'qu4INW9KssJVg4X7zgPjoCFormE=', signedUrl, '{"event":"tesT"}')).toBe(
        false,
      );
    });

    it("agrees with the fake's independently signed StatusCallback", () => {
      const hook = fake.formWebhook('https://crm.example.com/hooks/twilio/sms-status?tenant=7', params);
      const sig = hook.headers['x-twilio-signature'];
      expect(validateTwilioSignature(TOKEN, sig, hook.url, new URLSearchParams(hook.body))).toBe(true);
      expect(
        validateTwilioSignature(
          TOKEN,
          sig,
          'https://crm.example.com/hooks/twilio/sms-status',
          new URLSearchParams(hook.body),
        ),
      ).toBe(false);
      const json = fake.jsonWebhook('https://crm.example.com/hooks/twilio/json', '{"a":1}');
      expect(validateTwilioJsonSignature(TOKEN, json.headers['x-twilio-signature'], json.url, json.body)).toBe(true);
    });
  });

  describe('the fake, as Twilio', () => {
    const messages = `/2010-04-01/Accounts/${SID}/Messages.json`;
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    it("refuses wrong basic auth with 401 and Twilio's error shape", async () => {
      for (const authorization of [basic(SID, 'nope'), basic('ACother', TOKEN), undefined]) {
        const res = await fetch(fake.baseUrl + messages, {
          method: 'POST',
          headers: { ...form, ...(authorization ? { authorization } : {}) },
          body: 'To=%2B15551234567&From=%2B15005550006&Body=hi',
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({
          code: 20003,
          message: 'Authenticate',
          more_info: 'https://www.twilio.com/docs/errors/20003',
          status: 401,
        });
      }
      expect(fake.messages).toHaveLength(0);
    });

    it('creates a message from a form body and sends its signed StatusCallback', async () => {
      const res = await fetch(fake.baseUrl + messages, {
        method: 'POST',
        headers: { ...form, authorization: basic(SID, TOKEN) },
        body: new URLSearchParams({
          To: '+15551234567',
          From: '+15005550006',
          Body: 'hello',
          StatusCallback: 'https://crm.example.com/cb',
        }).toString(),
      });
      expect(res.status).toBe(201);
      const msg = (await res.json()) as { sid: string; status: string };
      expect(msg).toMatchObject({ status: 'queued', to: '+15551234567', from: '+15005550006' });
      expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
      const hook = fake.messageStatusCallback(msg.sid, 'delivered');
      expect(hook.url).toBe('https://crm.example.com/cb');
      expect(new URLSearchParams(hook.body).get('MessageStatus')).toBe('delivered');
      expect(
        validateTwilioSignature(TOKEN, hook.headers['x-twilio-signature'], hook.url, new URLSearchParams(hook.body)),
      ).toBe(true);
    });

    it('reads no parameters from a JSON body, as Twilio does', async () => {
      const res = await fetch(fake.baseUrl + messages, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(SID, TOKEN) },
        body: JSON.stringify({ To: '+15551234567', From: '+15005550006', Body: 'hi' }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 21604, status: 400 });
    });
  });
});
