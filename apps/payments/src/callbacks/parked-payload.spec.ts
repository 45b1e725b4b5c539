import { parkedPayload } from './parked-payload';

describe('parkedPayload', () => {
  it('keeps statuses, amounts and ids and censors tokens, card and personal data at any depth', () => {
    const body = {
      merchant_id: 'm',
      customer: { customer_token: 'tok-1', first_name: 'Ana', last_name: 'Lima' },
      session: { order_id: 'o-1', auth_token: 'auth-1', pin: 'CRM-42' },
      transaction: {
        transaction_status: 'approved',
        amount: 10000,
        currency: 'USD',
        card: { card_token: 'ct-1', card_number: '4111' },
      },
      meta: { payload: 'session-secret' },
      list: [{ email: 'a@example.com', status: 'ok' }],
    };
    const out = parkedPayload(Buffer.from(JSON.stringify(body)));
    expect(out).toEqual({
      merchant_id: 'm',
      customer: { customer_token: '[REDACTED]', first_name: '[REDACTED]', last_name: '[REDACTED]' },
      session: { order_id: 'o-1', auth_token: '[REDACTED]', pin: '[REDACTED]' },
      transaction: { transaction_status: 'approved', amount: 10000, currency: 'USD', card: '[REDACTED]' },
      meta: { payload: '[REDACTED]' },
      list: [{ email: '[REDACTED]', status: 'ok' }],
    });
    for (const secret of ['tok-1', 'Ana', 'auth-1', 'ct-1', '4111', 'session-secret', 'a@example.com'])
      expect(JSON.stringify(out)).not.toContain(secret);
  });

  it('stores only the size of a body that is not JSON', () => {
    expect(parkedPayload(Buffer.from('not json'))).toEqual({ unreadable: true, bytes: 8 });
  });
});
