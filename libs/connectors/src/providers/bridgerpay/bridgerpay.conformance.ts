import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { sessionSecretDigest, type CashierRequest } from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';
import { BRIDGERPAY_STATUS_TABLE, bridgerpayPayment } from './bridgerpay.connector';
import { BridgerpayFake } from './bridgerpay.fake';

const CREDS = {
  username: 'bp-conformance-user',
  password: 'bp-conformance-password-0123',
  api_key: 'bp-conformance-api-key-4567',
  cashier_key: 'bp-conformance-cashier',
};
const ORDER = 'conformance-bp-order';

/** BridgerPay's notification types and charge statuses (docs/providers/bridgerpay.md, status mapping). */
const DOCUMENTED = [
  'cashier.session.init',
  'init',
  'in_process',
  'pending',
  'authorized',
  'capture in progress',
  'approved_on_hold',
  'approved',
  'declined',
  'voided',
  'refunded',
  'partly_refunded',
  'cashier.session.close',
];

const SESSION_SECRET = 'bp-conformance-session-secret';

type Body = { data: { charge: { attributes: Record<string, unknown> } }; meta: Record<string, unknown> };
const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Body;
const write = (cb: ProviderCallback, body: unknown): ProviderCallback => ({
  ...cb,
  body: Buffer.from(JSON.stringify(body)),
});

let calls = 0;
const request = (orderId: string): CashierRequest => ({
  orderId,
  direction: 'deposit',
  country: 'BR',
  currency: 'EUR',
  amount: '45.36',
  email: 'lead@example.com',
  notificationUrl: 'https://platform.example/webhooks/payments/bridgerpay',
  sessionSecret: SESSION_SECRET,
});

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new BridgerpayFake({
      username: CREDS.username,
      password: CREDS.password,
      apiKey: CREDS.api_key,
      cashierKey: CREDS.cashier_key,
    }).start();
    const config: ConnectorConfig = { credentials: { ...CREDS }, settings: { base_url: fake.baseUrl } };
    // the order every callback is for: BridgerPay echoes its session's payload
    await bridgerpayPayment.openCashier(config, request(ORDER));
    return {
      fake,
      config,
      wrongCredentials: { password: 'bp-wrong-password-9876543210' },
      call: (c, config) => c.payment!.openCashier(config, request(`conformance-bp-call-${++calls}`)),
      webhooks: {
        // each notification carries new charge ids, so a new event key
        signed: ({ status = 'approved' }): ProviderCallback => fake.notification(ORDER, status, status),
        verifying: [],
        // the proof BridgerPay gives instead of a signature: the session's secret echoed in meta.payload,
        // checked with matchOrder against the stored order (its digest, amount and currency)
        order: { amount: '45.36', currency: 'EUR', sessionSecretSha256: sessionSecretDigest(SESSION_SECRET) },
        unsigned: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, meta: { ...b.meta, payload: null } });
        },
        tampered: (cb) => {
          const b = read(cb);
          const attributes = { ...b.data.charge.attributes, amount: '4536.00' };
          return write(cb, { ...b, data: { ...b.data, charge: { ...b.data.charge, attributes } } });
        },
        recased: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, meta: { ...b.meta, payload: String(b.meta.payload).toUpperCase() } });
        },
        exempt: {
          stale: 'BridgerPay notifications carry no provider timestamp (docs/providers/bridgerpay.md, residual risks)',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: BRIDGERPAY_STATUS_TABLE,
    lifecycles: [
      [
        'cashier.session.init',
        'init',
        'in_process',
        'pending',
        'authorized',
        'capture in progress',
        'approved',
        'partly_refunded',
        'refunded',
        'cashier.session.close',
      ],
      ['cashier.session.init', 'pending', 'approved_on_hold', 'approved'],
      ['cashier.session.init', 'pending', 'declined', 'approved'],
      ['cashier.session.init', 'pending', 'declined', 'cashier.session.close'],
      ['cashier.session.init', 'authorized', 'voided', 'cashier.session.close'],
    ],
  },
};
