import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import type { ConnectorConfig } from '../../types';
import { PRAXIS_STATUS_TABLE, praxisPayment } from './praxis.connector';
import { PraxisFake } from './praxis.fake';

const MERCHANT_ID = 'praxis-conformance-merchant';
const APPLICATION_KEY = 'praxis-conformance-app';
const SECRET = 'praxis-conformance-secret-0123456789';

/** Praxis's `transaction_status` values (docs/providers/praxis.md, status mapping). */
const DOCUMENTED = [
  'initialized',
  'pending',
  'pending_async',
  'requested',
  'authorized',
  'in progress',
  'approved',
  'rejected',
  'declined',
  'cancelled',
  'error',
  'refund',
  'partial_refund',
  'reversed',
  'chargeback',
];

const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Record<string, unknown>;
const write = (cb: ProviderCallback, body: unknown): ProviderCallback => ({
  ...cb,
  body: Buffer.from(JSON.stringify(body)),
});

let orders = 0;
const cashier = (config: ConnectorConfig, orderId: string) =>
  praxisPayment.openCashier(config, {
    orderId,
    direction: 'deposit',
    country: 'GB',
    customerId: 'conformance-customer',
    amount: '100.00',
    currency: 'EUR',
    email: 'lead@example.com',
    notificationUrl: 'https://platform.example/webhooks/payments/praxis',
    sessionSecret: 'unused-by-praxis',
  });

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new PraxisFake({
      merchantId: MERCHANT_ID,
      applicationKey: APPLICATION_KEY,
      merchantSecret: SECRET,
    }).start();
    const config: ConnectorConfig = {
      credentials: { merchant_id: MERCHANT_ID, application_key: APPLICATION_KEY, merchant_secret: SECRET },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { merchant_secret: 'praxis-wrong-secret-9876543210' },
      call: (c, config) =>
        c.payment!.openCashier(config, {
          orderId: `conformance-call-${++orders}`,
          direction: 'deposit',
          country: 'GB',
          customerId: 'conformance-customer',
          amount: '100.00',
          currency: 'EUR',
          notificationUrl: 'https://platform.example/webhooks/payments/praxis',
          sessionSecret: 'unused-by-praxis',
        }),
      webhooks: {
        // each callback is a new cashier session (new order id, new tid) settled to the status
        signed: async ({ status = 'approved', atMs }) => {
          const orderId = `conformance-order-${++orders}`;
          await cashier(config, orderId);
          fake.settle(orderId, status);
          return fake.notification(orderId, Math.floor((atMs ?? Date.now()) / 1000));
        },
        verifying: ['merchant_secret'],
        unsigned: (cb) => {
          const { 'gt-authentication': _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // the status is not signed (docs/residual-risks.md): the amount is
        tampered: (cb) => {
          const b = read(cb) as { transaction: Record<string, unknown> };
          return write(cb, { ...b, transaction: { ...b.transaction, amount: (b.transaction.amount as number) + 100 } });
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'gt-authentication': cb.headers['gt-authentication'].toUpperCase() },
        }),
        exempt: {
          stale:
            'Praxis documents no window for a notification timestamp and resends an unanswered one about every 5 minutes: a replay repeats the signature, which is its event key, so it is de-duplicated or parked',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: PRAXIS_STATUS_TABLE,
    lifecycles: [
      ['initialized', 'pending', 'pending_async', 'authorized', 'approved', 'refund'],
      ['pending', 'approved', 'partial_refund'],
      ['pending', 'approved', 'chargeback'],
      ['pending', 'approved', 'reversed'],
      ['pending', 'rejected', 'approved'],
      ['pending', 'declined'],
      ['pending', 'error'],
      ['pending', 'cancelled'],
      ['requested', 'authorized', 'in progress', 'approved', 'reversed'],
      ['requested', 'rejected'],
    ],
  },
};
