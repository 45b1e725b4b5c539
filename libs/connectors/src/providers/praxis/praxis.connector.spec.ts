import { createHash } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector, praxisPayment, praxisRequest } from './praxis.connector';
import { PraxisFake } from './praxis.fake';
import {
  PRAXIS_FIELDS,
  praxisNotificationReply,
  praxisSignature,
  praxisSignObject,
  rawJsonFields,
  verifyPraxisRawSignature,
  verifyPraxisSignature,
} from './praxis.signing';

describe('praxis GT-Authentication (fixed test vectors)', () => {
  const SECRET = 'praxis-merchant-secret';

  it('signs a cashier request', () => {
    expect(praxisSignature(['API-merchant', 'app-key-1', 1700000000, 'payment', 'CRM-42', 'ORD-1001'], SECRET)).toBe(
      '5925c5d51a2a155cb58d2019cd6852a4467533901cf5bbe30a7c544b5af118f805190f6d1e500ca1107853bf4ecdc0f6',
    );
    const req = {
      merchant_id: 'API-merchant',
      application_key: 'app-key-1',
      timestamp: 1700000000,
      intent: 'payment',
      cid: 'CRM-42',
      order_id: 'ORD-1001',
      amount: 100,
    };
    expect(praxisSignObject(req, PRAXIS_FIELDS.cashierRequest, SECRET)).toBe(
      '5925c5d51a2a155cb58d2019cd6852a4467533901cf5bbe30a7c544b5af118f805190f6d1e500ca1107853bf4ecdc0f6',
    );
  });

  it('verifies a notification and signs the reply', () => {
    const note = {
      merchant_id: 'API-merchant',
      application_key: 'app-key-1',
      timestamp: 1700000100,
      customer: { customer_token: 'cust-tok-1' },
      session: { order_id: 'ORD-1001' },
      transaction: {
        tid: 123456,
        currency: 'USD',
        amount: 10000,
        conversion_rate: '1.00000',
        processed_currency: 'USD',
        processed_amount: 10000,
      },
    };
    const sig = 'de2d1f0282e42a30671b1688e35aeba060ea64073cc6a8255aa995250d8655ccb184e8f337b2873986eac2d7c68356e7';
    expect(() => verifyPraxisSignature(note, PRAXIS_FIELDS.notification, SECRET, sig)).not.toThrow();
    expect(() =>
      verifyPraxisSignature(
        { ...note, transaction: { ...note.transaction, amount: 100000 } },
        PRAXIS_FIELDS.notification,
        SECRET,
        sig,
      ),
    ).toThrow(ConnectorError);
    expect(() => verifyPraxisSignature(note, PRAXIS_FIELDS.notification, SECRET, undefined)).toThrow('missing');
    const reply = praxisNotificationReply(SECRET, 1700000101_000);
    expect(JSON.parse(reply.body)).toEqual({ status: 0, description: 'OK', version: '1.3', timestamp: 1700000101 });
    expect(reply.headers['GT-Authentication']).toBe(
      '69eb314b0e159216527063fd13aff3ab6274fd150f8e51ef83803f22691b2691a1849540ae997582969224b708898fa2',
    );
  });

  it('verifies the documented notification vector over the raw body, conversion_rate as a string or as a number with decimals', () => {
    const sig = 'de2d1f0282e42a30671b1688e35aeba060ea64073cc6a8255aa995250d8655ccb184e8f337b2873986eac2d7c68356e7';
    const body = (rate: string) =>
      `{"merchant_id":"API-merchant","application_key":"app-key-1","conversion_rate":${rate},` +
      `"customer":{"customer_token":"cust-tok-1","first_name":null},"session":{"order_id":"ORD-1001","amount":10000,"conversion_rate":${rate}},` +
      `"transaction":{"tid":123456,"currency":"USD","amount":10000,"conversion_rate":${rate},"processed_currency":"USD","processed_amount":10000,"card":{"x":[1,{"tid":9}]}},` +
      '"version":"1.3","timestamp":1700000100}';
    for (const rate of ['"1.00000"', '1.00000']) {
      expect(() => verifyPraxisRawSignature(body(rate), PRAXIS_FIELDS.notification, SECRET, sig)).not.toThrow();
      const note = praxisPayment.readNotification(
        { credentials: { merchant_secret: SECRET }, settings: {} },
        { headers: { 'gt-authentication': sig }, body: Buffer.from(body(rate)) },
      );
      expect(note).toMatchObject({ orderId: 'ORD-1001', providerTransactionId: '123456', currency: 'USD' });
    }
    // the parsed value of 1.00000 is 1: a different text, a different signature
    expect(() => verifyPraxisRawSignature(body('1'), PRAXIS_FIELDS.notification, SECRET, sig)).toThrow(
      'does not match',
    );
    expect(() => verifyPraxisRawSignature(body('1.0'), PRAXIS_FIELDS.notification, SECRET, sig)).toThrow(
      'does not match',
    );
    // escapes in strings are read as JSON strings
    expect(
      rawJsonFields('{"a":{"b":"x\\u0041\\"y","c":-1.50e3,"d":true,"e":null}}', ['a.b', 'a.c', 'a.d', 'a.e']),
    ).toEqual(
      new Map<string, string | null>([
        ['a.b', 'xA"y'],
        ['a.c', '-1.50e3'],
        ['a.d', 'true'],
        ['a.e', null],
      ]),
    );
    expect(() => rawJsonFields('{"a":1', ['a'])).toThrow(ConnectorError);
  });

  it('skips null values, and objects and arrays as the raw JSON fields do', () => {
    expect(praxisSignature(['a', null, 'b', undefined], 's')).toBe(praxisSignature(['a', 'b'], 's'));
    expect(praxisSignature(['a', { b: 1 }, [2], 3, false], 's')).toBe(praxisSignature(['a', 3, false], 's'));
  });
});

describe('praxis connector against PraxisFake', () => {
  const CREDS = {
    merchant_id: 'API-merchant',
    application_key: 'app-key-1',
    merchant_secret: 'praxis-merchant-secret',
  };
  const fake = new PraxisFake({
    merchantId: CREDS.merchant_id,
    applicationKey: CREDS.application_key,
    merchantSecret: CREDS.merchant_secret,
  });
  const config = (over: Partial<typeof CREDS> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...CREDS, ...over },
    settings: { base_url: fake.baseUrl, ...settings },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares the catalog manifest of docs/providers/praxis.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'praxis', category: 'payment', settings: [] });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['merchant_id', false, true],
      ['application_key', false, true],
      ['merchant_secret', true, true],
    ]);
  });

  it('test() passes with the right credentials and sends a correctly signed find-order', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect([r.method, r.path]).toEqual(['POST', '/agent/find-order']);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.rawBody.toString()) as Record<string, string | number>;
    expect(body).toMatchObject({
      merchant_id: CREDS.merchant_id,
      application_key: CREDS.application_key,
      version: '1.3',
      order_id: expect.stringMatching(/^connector-test-/),
    });
    expect(Math.abs(Number(body.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const expected = createHash('sha384')
      .update(`${body.merchant_id}${body.application_key}${body.timestamp}${body.order_id}${CREDS.merchant_secret}`)
      .digest('hex');
    expect(r.headers['gt-authentication']).toBe(expected);
    expect(r.rejected).toBeUndefined();
  });

  it("a wrong secret is auth with Praxis's description, never the secret", async () => {
    const err = await failure(connector.test(config({ merchant_secret: 'not-the-secret' })));
    expect(err).toMatchObject({ code: 'auth', message: 'Praxis: Account not found' });
    expect(err.message).not.toContain('not-the-secret');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('a wrong application key is auth', async () => {
    expect(await failure(connector.test(config({ application_key: 'other-app' })))).toMatchObject({
      code: 'auth',
      message: 'Praxis: Website not found',
    });
  });

  it('settings.base_url replaces only scheme, host and port', async () => {
    await connector.test(config({}, { base_url: `${fake.baseUrl}/cashier` }));
    expect(fake.requests[0].path).toBe('/agent/find-order');
  });

  it('a cashier request opens a session with a signed answer; the notification and reply are signed', async () => {
    const { answer, headers } = await praxisRequest(
      config(),
      '/cashier/cashier',
      {
        intent: 'payment',
        cid: 'CRM-42',
        order_id: 'ORD-1001',
        currency: 'USD',
        amount: 10000,
        locale: 'en-GB',
        notification_url: 'https://crm.example.com/hooks/praxis',
      },
      PRAXIS_FIELDS.cashierRequest,
    );
    expect(answer).toMatchObject({
      status: 0,
      redirect_url: expect.stringContaining('/cashier/session/'),
      session: { order_id: 'ORD-1001', amount: 10000 },
    });
    expect(() =>
      verifyPraxisSignature(
        answer,
        PRAXIS_FIELDS.cashierResponse,
        CREDS.merchant_secret,
        headers.get('gt-authentication') ?? undefined,
      ),
    ).not.toThrow();

    const dup = await praxisRequest(
      config(),
      '/cashier/cashier',
      { intent: 'payment', cid: 'CRM-42', order_id: 'ORD-1001', currency: 'USD', amount: 1 },
      PRAXIS_FIELDS.cashierRequest,
    );
    expect(dup.answer).toMatchObject({ status: 400, description: 'The order_id value is not unique!' });

    fake.settle('ORD-1001', 'approved');
    const note = fake.notification('ORD-1001');
    const parsed = JSON.parse(note.body.toString()) as Record<string, unknown>;
    expect(() =>
      verifyPraxisSignature(
        parsed,
        PRAXIS_FIELDS.notification,
        CREDS.merchant_secret,
        note.headers['gt-authentication'],
      ),
    ).not.toThrow();
    expect(parsed).toMatchObject({ transaction: { transaction_status: 'approved', amount: 10000 } });
    const reply = praxisNotificationReply(CREDS.merchant_secret);
    expect(fake.acceptsReply(reply.body, reply.headers['GT-Authentication'])).toBe(true);
    expect(fake.acceptsReply(reply.body, 'forged')).toBe(false);
  });
});

describe('PraxisFake refuses what Praxis refuses', () => {
  const fake = new PraxisFake({ merchantId: 'm', applicationKey: 'a', merchantSecret: 's' });
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  const call = (body: Record<string, unknown>, sig?: string) =>
    fetch(`${fake.baseUrl}/cashier/cashier`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json; charset=utf-8', ...(sig ? { 'gt-authentication': sig } : {}) },
    }).then(async (r) => ({
      http: r.status,
      sig: r.headers.get('gt-authentication'),
      body: (await r.json()) as { status: number; description: string },
    }));

  it('checks signature, field order and timestamp', async () => {
    const now = Math.floor(Date.now() / 1000);
    const req = {
      merchant_id: 'm',
      application_key: 'a',
      version: '1.3',
      timestamp: now,
      intent: 'payment',
      cid: 'c',
      order_id: 'o1',
      currency: 'EUR',
      amount: 500,
    };
    const sha = (s: string) => createHash('sha384').update(s).digest('hex');
    expect((await call(req, sha(`ma${now}paymentco1s`))).body.status).toBe(0);
    // Same values in another order, and a signature over the whole body, are refused without a signature header.
    const wrongOrder = await call({ ...req, order_id: 'o2' }, sha(`ma${now}paymento2cs`));
    expect(wrongOrder).toEqual({
      http: 200,
      sig: null,
      body: expect.objectContaining({ status: 401, description: 'Account not found' }),
    });
    expect((await call({ ...req, order_id: 'o3' })).body).toMatchObject({
      status: 400,
      description: 'GT-Authentication header is missing.',
    });
    const old = { ...req, order_id: 'o4', timestamp: now - 61 };
    expect((await call(old, sha(`ma${now - 61}paymentco4s`))).body).toMatchObject({
      status: 400,
      description: 'Timestamp invalid',
    });
    expect(fake.requests.filter((r) => r.rejected)).toHaveLength(3);
  });
});
