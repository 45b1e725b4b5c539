import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { STATUS as SENDGRID_STATUS_TABLE } from './sendgrid.events';
import { SendgridFake } from './sendgrid.fake';
import { SENDGRID_MAX_AGE_SECONDS, SENDGRID_SIGNATURE_HEADER } from './sendgrid.signing';

const API_KEY = 'SG.conformance-key.0123456789abcdef';
const MESSAGE_ID = 'conformance-1';

/** SendGrid's Event Webhook event types (its "Event types" reference: delivery and engagement events). */
const DOCUMENTED = [
  'processed',
  'dropped',
  'delivered',
  'deferred',
  'bounce',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
];

type Event = Record<string, unknown>;
const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Event[];
const swapCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new SendgridFake({ apiKey: API_KEY }).start();
    const config = {
      credentials: { api_key: API_KEY, webhook_verification_key: fake.publicKeyBase64 },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { api_key: 'SG.wrong-key.9876543210fedcba' },
      call: (c, config) =>
        c.email!.send(
          config,
          { messageId: MESSAGE_ID, to: 'lead@example.com', subject: 'Hi', text: 'Hi', fromEmail: 'crm@broker.example' },
          { statusCallbackUrl: `https://platform.example/webhooks/comms/sendgrid?message_id=${MESSAGE_ID}` },
        ),
      webhooks: {
        // a batch of one event, a fresh sg_event_id each time, signed over timestamp + body
        signed: ({ status = 'delivered', atMs }) => {
          const at = Math.floor((atMs ?? Date.now()) / 1000);
          const event = fake.eventFor(MESSAGE_ID, status, { message_id: MESSAGE_ID, timestamp: at });
          const { body, headers } = fake.signedEvents([event], at);
          return { headers, body };
        },
        verifying: ['webhook_verification_key'],
        // a public-key scheme: the forger signs with a key pair of its own, so verify under another valid key
        forgedCredentials: { webhook_verification_key: new SendgridFake({ apiKey: API_KEY }).publicKeyBase64 },
        unsigned: (cb) => {
          const { [SENDGRID_SIGNATURE_HEADER]: _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // the signature covers the raw body: a changed event type is a changed signed byte
        tampered: (cb) => {
          const [e, ...rest] = read(cb);
          return { ...cb, body: Buffer.from(JSON.stringify([{ ...e, event: 'click' }, ...rest])) };
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, [SENDGRID_SIGNATURE_HEADER]: swapCase(cb.headers[SENDGRID_SIGNATURE_HEADER]) },
        }),
        staleAfterMs: SENDGRID_MAX_AGE_SECONDS * 1000,
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: SENDGRID_STATUS_TABLE,
    lifecycles: [
      ['processed', 'delivered', 'open', 'click', 'unsubscribe'],
      ['processed', 'deferred', 'delivered', 'open', 'spamreport'],
      ['processed', 'delivered', 'group_unsubscribe', 'group_resubscribe'],
      ['processed', 'deferred', 'bounce'],
      ['processed', 'dropped'],
    ],
  },
};
