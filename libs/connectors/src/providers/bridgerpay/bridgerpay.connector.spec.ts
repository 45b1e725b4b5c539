import { connectorFailure as failure } from '@app/testing';

import type { ConnectorConfig } from '../../types';
import { bridgerpayLogin, bridgerpayPayment, bridgerpayRequest, connector } from './bridgerpay.connector';
import { BridgerpayFake } from './bridgerpay.fake';

const CREDS = {
  username: 'api-user',
  password: 'api-password',
  api_key: 'merchant-api-key',
  cashier_key: 'cashier-key-1',
};

describe('bridgerpay connector against BridgerpayFake', () => {
  const fake = new BridgerpayFake({
    username: CREDS.username,
    password: CREDS.password,
    apiKey: CREDS.api_key,
    cashierKey: CREDS.cashier_key,
  });
  const config = (over: Partial<typeof CREDS> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...CREDS, ...over },
    settings: { base_url: fake.baseUrl, ...settings },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares the catalog manifest of docs/providers/bridgerpay.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'bridgerpay', category: 'payment' });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['username', false, true],
      ['password', true, true],
      ['api_key', true, true],
      ['cashier_key', false, true],
    ]);
    expect(connector.manifest.settings).toEqual([
      expect.objectContaining({ name: 'embed_script_url', default: 'https://embed.bridgerpay.com/connector.min.js' }),
    ]);
  });

  it('test() logs in with user_name/password at /v2/auth/login', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect([r.method, r.path, r.headers['content-type']]).toEqual(['POST', '/v2/auth/login', 'application/json']);
    expect(JSON.parse(r.rawBody.toString())).toEqual({ user_name: CREDS.username, password: CREDS.password });
    expect(r.headers.authorization).toBeUndefined();
  });

  it("wrong credentials are auth with BridgerPay's message, never the password", async () => {
    const err = await failure(connector.test(config({ password: 'wrong-password' })));
    expect(err).toMatchObject({ code: 'auth', message: 'BridgerPay: login_failue', options: { httpStatus: 403 } });
    expect(err.message).not.toContain('wrong-password');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('a missing api_key is invalid_config before any call', async () => {
    expect(await failure(connector.test(config({ api_key: '' })))).toMatchObject({
      code: 'invalid_config',
      message: 'credential api_key is not set',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('settings.base_url replaces only scheme, host and port', async () => {
    await connector.test(config({}, { base_url: `${fake.baseUrl}/v1` }));
    expect(fake.requests[0].path).toBe('/v2/auth/login');
  });

  it('cashier session: bearer token, API key in the path, validation errors, notification echoes payload', async () => {
    const { token, expiresIn } = await bridgerpayLogin(config());
    expect(token.split('.')).toHaveLength(3);
    expect(expiresIn).toBe(7200);
    const body = {
      cashier_key: CREDS.cashier_key,
      order_id: 'ORD-1',
      currency: 'EUR',
      country: 'DE',
      amount: 45.36,
      payload: 'anti-forgery-123',
    };
    const result = await bridgerpayRequest<{ cashier_token: string }>(
      config(),
      'POST',
      `/cashier/session/create/${CREDS.api_key}`,
      body,
      token,
    );
    expect(result.cashier_token).toEqual(expect.any(String));
    expect(fake.sessions[0]).toMatchObject({ cashierToken: result.cashier_token, request: body });

    const invalid = await failure(
      bridgerpayRequest(
        config(),
        'POST',
        `/cashier/session/create/${CREDS.api_key}`,
        { ...body, country: 'Germany' },
        token,
      ),
    );
    expect(invalid).toMatchObject({ code: 'refused', message: expect.stringContaining('validation_error') });
    expect(invalid.message).toContain('country');

    const noToken = await failure(
      bridgerpayRequest(config(), 'POST', `/cashier/session/create/${CREDS.api_key}`, body, 'forged.jwt.token'),
    );
    expect(noToken).toMatchObject({ code: 'auth', message: 'BridgerPay: unauthorized' });
    const otherKey = await failure(
      bridgerpayRequest(config(), 'POST', '/cashier/session/create/other-key', body, token),
    );
    expect(otherKey.code).toBe('auth');
    fake.expireTokens();
    expect(
      await failure(bridgerpayRequest(config(), 'POST', `/cashier/session/create/${CREDS.api_key}`, body, token)),
    ).toMatchObject({ message: 'BridgerPay: token_expired' });

    const note = JSON.parse(fake.notification('ORD-1', 'approved').body.toString()) as {
      webhook: { type: string };
      data: { order_id: string };
      meta: { payload: string };
    };
    expect(note).toMatchObject({
      webhook: { type: 'approved' },
      data: { order_id: 'ORD-1' },
      meta: { payload: 'anti-forgery-123' },
    });
  });
});

describe('bridgerpay notifications', () => {
  const read = (body: string) =>
    bridgerpayPayment.readNotification({ credentials: {}, settings: {} }, { headers: {}, body: Buffer.from(body) });

  it('a body that is JSON but not an object (null, a number, a list) is unauthenticated, not a crash', () => {
    for (const body of ['null', '7', '"x"', '[]', '{"data":null,"webhook":null}']) {
      expect(() => read(body)).toThrow(expect.objectContaining({ name: 'ConnectorError', code: 'bad_signature' }));
    }
  });
});
