import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { MailgunFake } from './mailgun.fake';
import { MAILGUN_STATUS_TABLE, MAILGUN_WINDOW_SECONDS } from './mailgun.webhooks';

const API_KEY = 'mg-conformance-key-0123456789';
const DOMAIN = 'mg.broker.example';
const SIGNING = 'mg-conformance-signing-key-abcdef';

type Body = { signature: Record<string, string>; 'event-data': Record<string, unknown> };
const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Body;
const write = (cb: ProviderCallback, body: unknown): ProviderCallback => ({
  ...cb,
  body: Buffer.from(JSON.stringify(body)),
});

/** Mailgun's event types (its event-types reference), `failed` with each of its severities. */
const DOCUMENTED = [
  'accepted',
  'rejected',
  'delivered',
  'failed:permanent',
  'failed:temporary',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
  'stored',
];

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new MailgunFake({ apiKey: API_KEY, domain: DOMAIN, signingKey: SIGNING }).start();
    const config = {
      credentials: { api_key: API_KEY, domain: DOMAIN, webhook_signing_key: SIGNING },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { api_key: 'mg-wrong-key-9876543210' },
      call: (c, config) =>
        c.email!.send(
          config,
          {
            messageId: 'conformance-1',
            to: 'lead@example.com',
            subject: 'Hi',
            text: 'Hi',
            fromEmail: 'crm@broker.example',
          },
          { statusCallbackUrl: 'https://platform.example/webhooks/comms/mailgun?message_id=conformance-1' },
        ),
      webhooks: {
        signed: ({ status = 'delivered', atMs }) => {
          const [event, severity] = status.split(':');
          const timestamp = atMs === undefined ? undefined : Math.floor(atMs / 1000);
          return fake.signedEvent('conformance-1', event, severity ? { severity } : {}, { timestamp });
        },
        verifying: ['webhook_signing_key'],
        unsigned: (cb) => {
          const { signature: _signature, ...rest } = read(cb);
          return write(cb, rest);
        },
        // Mailgun signs timestamp + token, never the body: the signed token is what a changed copy keeps
        tampered: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, 'event-data': { ...b['event-data'], event: 'clicked' } });
        },
        recased: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, signature: { ...b.signature, signature: b.signature.signature.toUpperCase() } });
        },
        staleAfterMs: MAILGUN_WINDOW_SECONDS * 1000,
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: MAILGUN_STATUS_TABLE,
    lifecycles: [
      ['accepted', 'delivered', 'opened', 'clicked', 'unsubscribed'],
      ['accepted', 'delivered', 'complained'],
      ['accepted', 'failed:temporary', 'failed:permanent'],
      ['accepted', 'rejected'],
    ],
  },
};
