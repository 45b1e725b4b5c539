import { ConnectorError } from '../../connector-error';
import { sessionSecretDigest, type CashierRequest } from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';
import { bridgerpayPayment as port } from './bridgerpay.connector';
import { BridgerpayFake } from './bridgerpay.fake';

const CREDS = {
  username: 'pay-user',
  password: 'pay-password',
  api_key: 'pay-api-key',
  cashier_key: 'pay-cashier-key',
};

describe('bridgerpay PaymentPort against BridgerpayFake', () => {
  const fake = new BridgerpayFake({
    username: CREDS.username,
    password: CREDS.password,
    apiKey: CREDS.api_key,
    cashierKey: CREDS.cashier_key,
  });
  const config = (settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...CREDS },
    settings: { base_url: fake.baseUrl, ...settings },
  });
  const req = (over: Partial<CashierRequest> = {}): CashierRequest => ({
    orderId: `ord-${Math.random().toString(36).slice(2)}`,
    direction: 'deposit',
    country: 'BR',
    currency: 'EUR',
    amount: '45.36',
    email: 'ana@example.com',
    firstName: 'Ana',
    notificationUrl: 'https://x.example/webhooks/payments/bridgerpay',
    sessionSecret: 'secret-123',
    ...over,
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('opens a cashier session: one login, then the exact session body; answers embed', async () => {
    const r = req();
    const answer = await port.openCashier(
      config({ embed_script_url: 'https://checkout.bridgerpay.com/v2/launcher' }),
      r,
    );
    expect(answer).toEqual({
      type: 'embed',
      script_url: 'https://checkout.bridgerpay.com/v2/launcher',
      cashier_key: CREDS.cashier_key,
      cashier_token: fake.sessions.at(-1)!.cashierToken,
    });
    const create = fake.requests.at(-1)!;
    expect([create.method, create.path]).toEqual(['POST', `/v2/cashier/session/create/${CREDS.api_key}`]);
    expect(JSON.parse(create.rawBody.toString())).toEqual({
      cashier_key: CREDS.cashier_key,
      order_id: r.orderId,
      currency: 'EUR',
      country: 'BR',
      amount: 45.36,
      first_name: 'Ana',
      email: 'ana@example.com',
      payload: 'secret-123',
    });
    const logins = fake.requests.filter((x) => x.path === '/v2/auth/login').length;
    await port.openCashier(config(), req());
    expect(fake.requests.filter((x) => x.path === '/v2/auth/login')).toHaveLength(logins);
  });

  it('falls back to the documented script URL and logs in again when the token expired', async () => {
    fake.expireTokens();
    const answer = await port.openCashier(config(), req());
    expect(answer).toMatchObject({ type: 'embed', script_url: 'https://embed.bridgerpay.com/connector.min.js' });
  });

  it('never hands the cashier page a stored script from a host BridgerPay does not serve scripts from, and opens no session for it', async () => {
    const before = fake.requests.length;
    for (const url of [
      'https://skimmer.attacker.example/connector.min.js',
      'https://api.bridgerpay.com/connector.min.js',
      'http://127.0.0.2/x.js',
      'javascript:alert(1)',
    ]) {
      await expect(port.openCashier(config({ embed_script_url: url }), req())).rejects.toMatchObject({
        code: 'invalid_config',
      });
    }
    expect(fake.requests.length).toBe(before);
    // loopback is CONNECTOR_ALLOWED_HOSTS in the test suite: a sandbox script there is served
    await expect(port.openCashier(config({ embed_script_url: `${fake.baseUrl}/s.js` }), req())).resolves.toMatchObject({
      script_url: `${fake.baseUrl}/s.js`,
    });
  });

  it('maps a 503 to a retryable provider_error and a 400 to a final refusal', async () => {
    fake.failNext({ status: 503, body: { response: { status: 'NOK', code: 503, message: 'down' } } });
    const down = await port.openCashier(config(), req()).catch((e: unknown) => e as ConnectorError);
    expect(down).toMatchObject({ code: 'provider_error', retryable: true });
    const refused = await port
      .openCashier(config(), req({ country: 'Brazil' }))
      .catch((e: unknown) => e as ConnectorError);
    expect(refused).toMatchObject({ code: 'refused', retryable: false });
  });

  it('reads notifications, maps statuses and checks payload, currency and amount against the order', async () => {
    const r = req();
    await port.openCashier(config(), r);
    const read = (type: string, status = type) =>
      port.readNotification(config(), { headers: {}, body: fake.notification(r.orderId, type, status).body });
    const approved = read('approved');
    expect(approved).toMatchObject({
      orderId: r.orderId,
      status: 'approved',
      providerStatus: 'approved',
      amount: '45.36',
      currency: 'EUR',
      echoedSecret: 'secret-123',
    });
    expect(read('cashier.session.init', 'pending').status).toBe('pending');
    expect(read('cashier.session.close').status).toBeNull();
    expect(read('declined').status).toBe('declined');
    expect(read('partly_refunded').status).toBe('refunded');
    expect(read('approved_on_hold')).toMatchObject({ status: 'pending', flag: 'review' });
    // inherited property names are not statuses
    for (const name of ['constructor', 'toString', '__proto__']) expect(read(name).status).toBeNull();
    expect(read('constructor', 'approved').status).toBe('approved');
    expect(port.unsignedNotifications).toBe(true);
    const order = { amount: '45.36', currency: 'EUR', sessionSecretSha256: sessionSecretDigest('secret-123') };
    expect(() => port.matchOrder(approved, order)).not.toThrow();
    expect(() => port.matchOrder(approved, { ...order, sessionSecretSha256: sessionSecretDigest('other') })).toThrow(
      'meta.payload',
    );
    expect(() => port.matchOrder(approved, { ...order, sessionSecretSha256: 'secret-123' })).toThrow('meta.payload');
    expect(() => port.matchOrder(approved, { ...order, amount: '45.37' })).toThrow('amount');
    expect(() => port.matchOrder(approved, { ...order, currency: 'USD' })).toThrow('currency');
    expect(() => port.readNotification(config(), { headers: {}, body: Buffer.from('{"x":1}') })).toThrow(
      ConnectorError,
    );
  });
});
