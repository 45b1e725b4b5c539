import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector } from './twilio_voice.connector';
import { TwilioFake } from './twilio.fake';
import { validateTwilioSignature } from './twilio.shared';

const SID = 'AC00000000000000000000000000000001';
const TOKEN = 'fake-voice-token-0002';

describe('twilio_voice connector', () => {
  const fake = new TwilioFake(SID, TOKEN);
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const config = (over: Record<string, string> = {}, baseUrl = fake.baseUrl): ConnectorConfig => ({
    credentials: { account_sid: SID, auth_token: TOKEN, from_number: '+15005550006', ...over },
    settings: { base_url: baseUrl },
  });
  const failure = (c: ConnectorConfig) =>
    connector.test(c).then(
      () => null,
      (e: unknown) => e as ConnectorError,
    );

  it('declares the manifest of docs/providers/twilio_voice.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'twilio_voice', category: 'voip', settings: [] });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['account_sid', false, true],
      ['auth_token', true, true],
      ['from_number', false, true],
    ]);
  });

  it('passes with the right credentials; the request is the account fetch with basic auth', async () => {
    await connector.test(config());
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', `/2010-04-01/Accounts/${SID}.json`, `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`],
    ]);
  });

  it("fails with code auth and Twilio's reason on wrong credentials", async () => {
    const err = await failure(config({ auth_token: 'not-the-token' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'auth' });
    expect(err?.message).toMatch(/Authenticate.*20003/);
    expect(err?.message).not.toContain('not-the-token');
  });

  it('fails with invalid_config without a from_number, before calling Twilio', async () => {
    expect((await failure(config({ from_number: '' })))?.code).toBe('invalid_config');
    expect(fake.requests).toHaveLength(0);
  });

  it('settings.base_url keeps the documented path', async () => {
    await connector.test(config({}, `${fake.baseUrl}/v9/elsewhere`));
    expect(fake.requests[0].path).toBe(`/2010-04-01/Accounts/${SID}.json`);
  });

  it('the fake creates calls from form bodies, refuses bad auth, and signs call status callbacks', async () => {
    const url = `${fake.baseUrl}/2010-04-01/Accounts/${SID}/Calls.json`;
    const body = new URLSearchParams({
      To: '+15551234567',
      From: '+15005550006',
      Url: 'https://crm.example.com/twiml',
      StatusCallback: 'https://crm.example.com/calls/cb',
    });
    body.append('StatusCallbackEvent', 'ringing');
    body.append('StatusCallbackEvent', 'completed');
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };

    const refused = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Basic ${Buffer.from(`${SID}:bad`).toString('base64')}` },
      body,
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 20003, status: 401 });

    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}` },
      body,
    });
    expect(res.status).toBe(201);
    const call = (await res.json()) as { sid: string; status: string };
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe('queued');
    expect(fake.calls[0].params.getAll('StatusCallbackEvent')).toEqual(['ringing', 'completed']);

    const ringing = new URLSearchParams(fake.callStatusCallback(call.sid, 'ringing').body);
    const done = fake.callStatusCallback(call.sid, 'completed');
    const fields = new URLSearchParams(done.body);
    expect([ringing.get('SequenceNumber'), fields.get('SequenceNumber'), fields.get('CallDuration')]).toEqual([
      '0',
      '1',
      '42',
    ]);
    expect(validateTwilioSignature(TOKEN, done.headers['x-twilio-signature'], done.url, fields)).toBe(true);
  });
});
