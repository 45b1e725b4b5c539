import { randomBytes } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { DLR_STATUS as VONAGE_DLR_STATUS_TABLE } from './vonage_sms.connector';
import { VonageFake } from './vonage.fake';
import { VONAGE_WINDOW_SECONDS } from './vonage.signing';

const CREDS = {
  api_key: 'c0nf0rm1',
  api_secret: 'VonageConformanceSecret01',
  signature_secret: 'vonage-conformance-signature-secret',
  from: 'Broker',
};
const MESSAGE_ID = 'conformance-1';

/** The delivery receipt `status` values of Vonage's SMS API reference ("Delivery receipts"). */
const DOCUMENTED = ['accepted', 'buffered', 'delivered', 'expired', 'failed', 'rejected', 'unknown'];

type Dlr = Record<string, string>;
const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Dlr;
const write = (cb: ProviderCallback, dlr: Dlr): ProviderCallback => ({ ...cb, body: Buffer.from(JSON.stringify(dlr)) });

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new VonageFake({
      apiKey: CREDS.api_key,
      apiSecret: CREDS.api_secret,
      signatureSecret: CREDS.signature_secret,
    }).start();
    return {
      fake,
      config: { credentials: { ...CREDS }, settings: { base_url: fake.baseUrl } },
      wrongCredentials: { api_secret: 'VonageWrongSecret9876' },
      call: (c, config) =>
        c.sms!.send(
          config,
          { messageId: MESSAGE_ID, to: '+447700900123', body: 'Hi' },
          { statusCallbackUrl: `https://platform.example/webhooks/comms/vonage_sms?message_id=${MESSAGE_ID}` },
        ),
      webhooks: {
        // a JSON POST receipt (the dashboard's default) for a new part each time, with its own nonce
        signed: ({ status = 'delivered', atMs }) => {
          const extra: Dlr = {
            messageId: randomBytes(8).toString('hex').toUpperCase(),
            'client-ref': MESSAGE_ID,
            ...(atMs === undefined ? {} : { timestamp: String(Math.floor(atMs / 1000)) }),
          };
          return {
            headers: { 'content-type': 'application/json' },
            body: Buffer.from(JSON.stringify(fake.dlr(MESSAGE_ID, 0, status, extra))),
          };
        },
        verifying: ['signature_secret'],
        unsigned: (cb) => {
          const { sig: _sig, ...rest } = read(cb);
          return write(cb, rest);
        },
        // every field but sig is signed: a changed status breaks it
        tampered: (cb) => {
          const d = read(cb);
          return write(cb, { ...d, status: d.status === 'failed' ? 'delivered' : 'failed' });
        },
        // sha256 signatures are upper-case hex, compared in that exact case
        recased: (cb) => {
          const d = read(cb);
          return write(cb, { ...d, sig: d.sig.toLowerCase() });
        },
        staleAfterMs: VONAGE_WINDOW_SECONDS * 1000,
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: VONAGE_DLR_STATUS_TABLE,
    lifecycles: [
      ['accepted', 'buffered', 'delivered'],
      ['accepted', 'buffered', 'expired'],
      ['accepted', 'failed'],
      ['accepted', 'rejected'],
      ['accepted', 'unknown', 'delivered'],
    ],
  },
};
