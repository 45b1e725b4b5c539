import { ConnectorError } from '../../connector-error';
import type { CashierRequest } from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';
import { praxisPayment as port } from './praxis.connector';
import { PraxisFake } from './praxis.fake';

const CREDS = { merchant_id: 'API-merchant', application_key: 'app-key-1', merchant_secret: 'praxis-merchant-secret' };

describe('praxis PaymentPort against PraxisFake', () => {
  const fake = new PraxisFake({
    merchantId: CREDS.merchant_id,
    applicationKey: CREDS.application_key,
    merchantSecret: CREDS.merchant_secret,
  });
  const config = (): ConnectorConfig => ({ credentials: { ...CREDS }, settings: { base_url: fake.baseUrl } });
  const req = (over: Partial<CashierRequest> = {}): CashierRequest => ({
    orderId: `ord-${Math.random().toString(36).slice(2)}`,
    direction: 'deposit',
    country: 'DE',
    currency: 'EUR',
    amount: '100.5',
    customerId: 'CRM-42',
    notificationUrl: 'https://x.example/webhooks/payments/praxis',
    sessionSecret: 's',
    ...over,
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('sends a signed cashier request (intent payment, minor units) and answers redirect', async () => {
    const r = req();
    const answer = await port.openCashier(config(), r);
    expect(answer).toEqual({ type: 'redirect', redirect_url: expect.stringContaining('/cashier/session/') });
    const sent = JSON.parse(fake.requests.at(-1)!.rawBody.toString()) as Record<string, unknown>;
    expect(sent).toMatchObject({
      merchant_id: CREDS.merchant_id,
      application_key: CREDS.application_key,
      version: '1.3',
      intent: 'payment',
      cid: 'CRM-42',
      order_id: r.orderId,
      currency: 'EUR',
      amount: 10050,
      notification_url: r.notificationUrl,
      customer_data: { country: 'DE' },
    });
    expect(fake.requests.at(-1)!.rejected).toBeUndefined();
  });

  it('uses intent withdrawal and minor units per currency', async () => {
    const r = req({ direction: 'withdrawal', currency: 'JPY', amount: '1500' });
    await port.openCashier(config(), r);
    expect(fake.sessions.get(r.orderId)).toMatchObject({ intent: 'withdrawal', amount: 1500 });
  });

  it('opens a session without an amount (left to the customer), leaving amount out of the body', async () => {
    const r = req({ amount: undefined });
    expect(await port.openCashier(config(), r)).toEqual({
      type: 'redirect',
      redirect_url: expect.stringContaining('/cashier/session/'),
    });
    const sent = JSON.parse(fake.requests.at(-1)!.rawBody.toString()) as Record<string, unknown>;
    expect(fake.requests.at(-1)!.rejected).toBeUndefined();
    expect(sent).toMatchObject({ order_id: r.orderId, currency: 'EUR' });
    expect('amount' in sent).toBe(false);
    // with an amount, the minor-unit check still refuses without a call
    const before = fake.requests.length;
    await expect(port.openCashier(config(), req({ amount: '1.234' }))).rejects.toMatchObject({ code: 'refused' });
    expect(fake.requests.length).toBe(before);
  });

  it('maps every positive Praxis status to a final refusal, 5xx-looking ones included; negative ones are failures', async () => {
    for (const status of [400, 406, 500, 503, 999]) {
      fake.failNext({ status: 200, body: { status, description: 'logical error' } });
      await expect(port.openCashier(config(), req())).rejects.toMatchObject({ code: 'refused', retryable: false });
    }
    fake.failNext({ status: 200, body: { status: -1, description: 'infrastructure' } });
    await expect(port.openCashier(config(), req())).rejects.toMatchObject({ code: 'provider_error', retryable: true });
  });

  it('a 5xx is a retryable failure; a bad answer signature is a failure', async () => {
    fake.failNext({ status: 502, body: { status: -1, description: 'gateway down' } });
    await expect(port.openCashier(config(), req())).rejects.toMatchObject({ code: 'provider_error', retryable: true });
    fake.failNext({
      status: 200,
      body: { status: 0, redirect_url: 'https://evil.example', timestamp: 1 },
      headers: { 'gt-authentication': 'f'.repeat(96) },
    });
    await expect(port.openCashier(config(), req())).rejects.toMatchObject({
      code: 'provider_error',
      message: expect.stringContaining('not signed'),
    });
  });

  it('verifies notifications, maps statuses and signs the acknowledgement', async () => {
    const r = req();
    await port.openCashier(config(), r);
    for (const [praxisStatus, ours] of [
      ['approved', 'approved'],
      ['rejected', 'declined'],
      ['cancelled', 'failed'],
      ['pending_async', 'pending'],
      ['chargeback', 'refunded'],
    ] as const) {
      fake.settle(r.orderId, praxisStatus);
      const n = fake.notification(r.orderId);
      const note = port.readNotification(config(), { headers: n.headers, body: n.body });
      expect(note).toMatchObject({
        orderId: r.orderId,
        status: ours,
        providerStatus: praxisStatus,
        amount: '100.50',
        currency: 'EUR',
      });
    }
    fake.settle(r.orderId, 'approved');
    const numeric = fake.notification(r.orderId, undefined, { numericConversionRate: true });
    expect(numeric.body.toString()).toContain('"conversion_rate":1.00000');
    expect(port.readNotification(config(), { headers: numeric.headers, body: numeric.body })).toMatchObject({
      status: 'approved',
      amount: '100.50',
    });
    const n = fake.notification(r.orderId);
    expect(() =>
      port.readNotification(config(), { headers: { ...n.headers, 'gt-authentication': 'x' }, body: n.body }),
    ).toThrow(ConnectorError);
    const ack = port.acknowledge(config());
    expect(ack).toMatchObject({ status: 200, content_type: 'application/json; charset=utf-8' });
    expect(fake.acceptsReply(ack.body, ack.headers?.['GT-Authentication'])).toBe(true);
  });
});
