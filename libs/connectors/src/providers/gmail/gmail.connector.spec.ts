import { connectorFailure as failure } from '@app/testing';

import type { ConnectorConfig } from '../../types';
import { connector, gmailAccessToken, gmailRequest, gmailTokenUrl } from './gmail.connector';
import { GmailFake } from './gmail.fake';

const CREDS = {
  client_id: 'cid.apps.googleusercontent.com',
  client_secret: 'GOCSPX-fake-secret',
  refresh_token: '1//fake-refresh-token',
  sender_email: 'sales@example.com',
};

describe('gmail connector against GmailFake', () => {
  const fake = new GmailFake({
    clientId: CREDS.client_id,
    clientSecret: CREDS.client_secret,
    refreshToken: CREDS.refresh_token,
    senderEmail: CREDS.sender_email,
  });
  const config = (over: Partial<typeof CREDS> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...CREDS, ...over },
    settings: { base_url: fake.baseUrl, ...settings },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares the catalog manifest of docs/providers/gmail.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'gmail', category: 'email' });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['client_id', false, true],
      ['client_secret', true, true],
      ['refresh_token', true, true],
      ['sender_email', false, true],
    ]);
    expect(connector.manifest.settings).toEqual([
      expect.objectContaining({ name: 'token_url', default: 'https://oauth2.googleapis.com/token' }),
    ]);
  });

  it('test() runs the refresh-token grant as a form POST', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect([r.method, r.path, r.headers['content-type']]).toEqual([
      'POST',
      '/token',
      'application/x-www-form-urlencoded',
    ]);
    expect(Object.fromEntries(new URLSearchParams(r.rawBody.toString()))).toEqual({
      client_id: CREDS.client_id,
      client_secret: CREDS.client_secret,
      refresh_token: CREDS.refresh_token,
      grant_type: 'refresh_token',
    });
  });

  it('a wrong client secret is auth (invalid_client), a wrong or revoked refresh token is auth (invalid_grant)', async () => {
    const badClient = await failure(connector.test(config({ client_secret: 'GOCSPX-wrong' })));
    expect(badClient).toMatchObject({ code: 'auth', message: 'Google: invalid_client: Unauthorized' });
    expect(badClient.message).not.toContain('GOCSPX-wrong');
    const badGrant = await failure(connector.test(config({ refresh_token: '1//other' })));
    expect(badGrant).toMatchObject({
      code: 'auth',
      message: 'Google: invalid_grant: Bad Request',
      options: { httpStatus: 400 },
    });
    expect(fake.requests.every((r) => r.rejected)).toBe(true);
  });

  it('a token without a sending scope is refused', async () => {
    const readonly = await new GmailFake({
      clientId: CREDS.client_id,
      clientSecret: CREDS.client_secret,
      refreshToken: CREDS.refresh_token,
      senderEmail: CREDS.sender_email,
      scope: 'https://www.googleapis.com/auth/gmail.readonly',
    }).start();
    try {
      expect(await failure(connector.test(config({}, { base_url: readonly.baseUrl })))).toMatchObject({
        code: 'refused',
        message: expect.stringContaining('gmail.send'),
      });
    } finally {
      await readonly.stop();
    }
  });

  it('token_url: a custom one is used verbatim; base_url replaces only scheme, host and port', async () => {
    expect(gmailTokenUrl({ credentials: {}, settings: {} })).toBe('https://oauth2.googleapis.com/token');
    expect(gmailTokenUrl({ credentials: {}, settings: { base_url: 'http://127.0.0.1:9/x/y' } })).toBe(
      'http://127.0.0.1:9/token',
    );
    // The stored default does not override base_url; another URL does.
    expect(
      gmailTokenUrl({
        credentials: {},
        settings: { base_url: 'http://127.0.0.1:9', token_url: 'https://oauth2.googleapis.com/token' },
      }),
    ).toBe('http://127.0.0.1:9/token');
    await connector.test({ credentials: CREDS, settings: { token_url: `${fake.baseUrl}/token` } });
    expect(fake.requests[0].path).toBe('/token');
  });

  it('messages.send needs the issued access token; revocation surfaces as auth', async () => {
    const { accessToken } = await gmailAccessToken(config());
    const mime = [
      'From: sales@example.com',
      'To: lead@example.com',
      'Subject: Hello',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hi there',
    ].join('\r\n');
    const raw = Buffer.from(mime).toString('base64url');
    const sent = await gmailRequest<{ id: string; labelIds: string[] }>(
      config(),
      accessToken,
      'POST',
      '/gmail/v1/users/me/messages/send',
      { raw },
    );
    expect(sent.labelIds).toEqual(['SENT']);
    expect(fake.sent[0]).toMatchObject({ id: sent.id, mime, headers: { to: 'lead@example.com', subject: 'Hello' } });

    const forged = await failure(
      gmailRequest(config(), 'ya29.forged', 'POST', '/gmail/v1/users/me/messages/send', { raw }),
    );
    expect(forged).toMatchObject({
      code: 'auth',
      message: expect.stringContaining('invalid authentication credentials'),
    });
    const noRecipient = await failure(
      gmailRequest(config(), accessToken, 'POST', '/gmail/v1/users/me/messages/send', {
        raw: Buffer.from('Subject: x\r\n\r\nbody').toString('base64url'),
      }),
    );
    expect(noRecipient).toMatchObject({ code: 'refused', message: 'Google: Recipient address required' });
    fake.expireAccessTokens();
    expect(
      (await failure(gmailRequest(config(), accessToken, 'POST', '/gmail/v1/users/me/messages/send', { raw }))).code,
    ).toBe('auth');

    fake.revokeRefreshToken();
    expect(await failure(connector.test(config()))).toMatchObject({
      code: 'auth',
      message: 'Google: invalid_grant: Token has been expired or revoked.',
    });
  });
});
