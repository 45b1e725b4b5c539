import { ConnectorError } from '../../connector-error';
import type { PaymentNotification } from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';
import { praxisPayment } from './praxis.connector';
import { praxisSignature } from './praxis.signing';

const CREDS = { merchant_id: 'API-merchant', application_key: 'app-key-1', merchant_secret: 'praxis-merchant-secret' };
const CONFIG: ConnectorConfig = { credentials: CREDS, settings: {} };
const ORDER = '6d0f2c36-8a41-4b8e-9a55-3f4f0a1b2c3d';

interface Signed {
  merchant_id: string;
  application_key: string;
  timestamp: string;
  customer_token: string | null;
  order_id: string;
  tid: string | null;
  currency: string | null;
  amount: string | null;
  conversion_rate: string | null;
  processed_currency: string | null;
  processed_amount: string | null;
}

/** Each value as its JSON literal text in the body (`"USD"`, `10000`). */
const GENUINE: Signed = {
  merchant_id: `"${CREDS.merchant_id}"`,
  application_key: `"${CREDS.application_key}"`,
  timestamp: '1700000100',
  customer_token: '"cust-tok-1"',
  order_id: `"${ORDER}"`,
  tid: '123456',
  currency: '"USD"',
  amount: '10000',
  conversion_rate: '"1.00000"',
  processed_currency: '"USD"',
  processed_amount: '10000',
};

/**
 * A notification body written literally (numbers exactly as given) and the signature Praxis would
 * compute over `sign`, which defaults to the body's own values: a different `sign` is a capture.
 */
function notification(over: Partial<Signed> = {}, status = 'pending', sign: Signed = { ...GENUINE, ...over }) {
  const v = { ...GENUINE, ...over };
  const lit = (x: string | null) => x ?? 'null';
  const body =
    `{"merchant_id":${lit(v.merchant_id)},"application_key":${lit(v.application_key)},"conversion_rate":"1.00000",` +
    `"customer":{"customer_token":${lit(v.customer_token)}},"session":{"order_id":${lit(v.order_id)},"session_status":"action required","amount":10000},` +
    `"transaction":{"transaction_status":"${status}","tid":${lit(v.tid)},"currency":${lit(v.currency)},"amount":${lit(v.amount)},` +
    `"conversion_rate":${lit(v.conversion_rate)},"processed_currency":${lit(v.processed_currency)},"processed_amount":${lit(v.processed_amount)}},` +
    `"version":"1.3","timestamp":${v.timestamp}}`;
  const unquote = (x: string | null) => (x === null ? null : x.replace(/^"(.*)"$/, '$1'));
  const signature = praxisSignature(
    [
      sign.merchant_id,
      sign.application_key,
      sign.timestamp,
      sign.customer_token,
      sign.order_id,
      sign.tid,
      sign.currency,
      sign.amount,
      sign.conversion_rate,
      sign.processed_currency,
      sign.processed_amount,
    ].map(unquote),
    CREDS.merchant_secret,
  );
  return { body, signature };
}

const read = (body: string, signature: string): PaymentNotification =>
  praxisPayment.readNotification(CONFIG, { headers: { 'gt-authentication': signature }, body: Buffer.from(body) });

const refusal = (body: string, signature: string): ConnectorError => {
  try {
    read(body, signature);
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('the notification was accepted');
};

describe('praxis notifications: replay and forgery', () => {
  it('reads a genuine notification with its signed timestamp', () => {
    const { body, signature } = notification();
    expect(read(body, signature)).toMatchObject({
      orderId: ORDER,
      status: 'pending',
      amount: '100.00',
      currency: 'USD',
      occurredAt: 1700000100,
    });
  });

  it('keys a notification by its signature whatever the case spelling of the header', () => {
    const { body, signature } = notification();
    const lower = read(body, signature);
    const upper = read(body, signature.toUpperCase());
    const mixed = read(
      body,
      signature.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    );
    expect(upper.eventKey).toBe(lower.eventKey);
    expect(mixed.eventKey).toBe(lower.eventKey);
    expect(upper.fingerprint).toBe(lower.fingerprint);
  });

  it('the same signed fields with another (unsigned) status keep the key but change the fingerprint', () => {
    const pending = notification({}, 'pending');
    const approved = notification({}, 'approved');
    expect(approved.signature).toBe(pending.signature);
    const a = read(pending.body, pending.signature);
    const b = read(approved.body, approved.signature.toUpperCase());
    expect(b.status).toBe('approved');
    expect(b.eventKey).toBe(a.eventKey);
    expect(b.fingerprint).not.toBe(a.fingerprint);
  });

  it('refuses digits shifted across the unseparated field boundaries (the signature still matches)', () => {
    // amount 10000 + rate "1.00000" signs as amount 100001 + rate ".00000"
    const shifted = notification({ amount: '100001', conversion_rate: '".00000"' }, 'approved', GENUINE);
    expect(refusal(shifted.body, shifted.signature)).toMatchObject({
      code: 'bad_signature',
      message: expect.stringContaining('transaction.conversion_rate'),
    });
    // and the other way: amount 1000 + rate "01.00000"
    const leftShift = notification({ amount: '1000', conversion_rate: '"01.00000"' }, 'approved', GENUINE);
    expect(refusal(leftShift.body, leftShift.signature)).toMatchObject({
      code: 'bad_signature',
      message: expect.stringContaining('transaction.conversion_rate'),
    });
    // an amount swallowed by a missing rate
    const noRate = notification({ amount: null, conversion_rate: '"100001.00000"' }, 'approved', GENUINE);
    expect(refusal(noRate.body, noRate.signature)).toMatchObject({
      code: 'bad_signature',
      message: expect.stringContaining('transaction.amount'),
    });
    // the timestamp's last digit moved into the customer token
    const ts = notification({ timestamp: '170000010', customer_token: '"0cust-tok-1"' }, 'approved', GENUINE);
    expect(refusal(ts.body, ts.signature)).toMatchObject({
      code: 'bad_signature',
      message: expect.stringContaining('timestamp'),
    });
  });

  it('validates the format of every signed field strictly', () => {
    const cases: [Partial<Signed>, string][] = [
      [{ amount: '10000.0' }, 'transaction.amount'],
      [{ amount: '1e4' }, 'transaction.amount'],
      [{ amount: '-10000' }, 'transaction.amount'],
      [{ amount: '010000' }, 'not JSON'], // a leading zero is not even JSON
      [{ amount: '"10000"' }, 'transaction.amount'],
      [{ processed_amount: '100.5' }, 'transaction.processed_amount'],
      [{ conversion_rate: '"1"' }, 'transaction.conversion_rate'],
      [{ conversion_rate: '"1."' }, 'transaction.conversion_rate'],
      [{ conversion_rate: '" 1.0"' }, 'transaction.conversion_rate'],
      [{ currency: '"usd"' }, 'transaction.currency'],
      [{ currency: '"US"' }, 'transaction.currency'],
      [{ processed_currency: null }, 'transaction.processed_currency'],
      [{ tid: '12.5' }, 'transaction.tid'],
      [{ timestamp: '1700000100.5' }, 'timestamp'],
      [{ merchant_id: '"other-merchant"' }, 'merchant_id'],
      [{ application_key: '"other-app"' }, 'application_key'],
    ];
    for (const [over, field] of cases) {
      const n = notification(over);
      expect([over, refusal(n.body, n.signature).message]).toEqual([over, expect.stringContaining(field)]);
    }
    // a rate written as a JSON number with its decimals is fine
    const numeric = notification({ conversion_rate: '1.00000' });
    expect(read(numeric.body, numeric.signature).amount).toBe('100.00');
    const badHeader = notification();
    expect(refusal(badHeader.body, `${badHeader.signature}00`).code).toBe('bad_signature');
  });

  it('matchOrder parks (does not throw) a signed notification whose amount or currency disagrees with the stored order', () => {
    const { body, signature } = notification({}, 'approved');
    const note = read(body, signature);
    expect(
      praxisPayment.matchOrder(note, { amount: '100.00', currency: 'USD', sessionSecretSha256: null }),
    ).toBeUndefined();
    expect(
      praxisPayment.matchOrder(note, { amount: null, currency: 'USD', sessionSecretSha256: null }),
    ).toBeUndefined();
    expect(praxisPayment.matchOrder(note, { amount: '1000.01', currency: 'USD', sessionSecretSha256: null })).toBe(
      'amount_mismatch',
    );
    expect(praxisPayment.matchOrder(note, { amount: '100.00', currency: 'EUR', sessionSecretSha256: null })).toBe(
      'currency_mismatch',
    );
    // a pending or refund notification must carry the stored amount too
    const pending = read(notification({}, 'pending').body, signature);
    expect(praxisPayment.matchOrder(pending, { amount: '7.00', currency: 'USD', sessionSecretSha256: null })).toBe(
      'amount_mismatch',
    );
  });
});
