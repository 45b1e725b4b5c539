import { randomBytes } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { STATUS as TWILIO_SMS_STATUS_TABLE } from './twilio_sms.connector';
import { TwilioFake } from './twilio.fake';

const SID = 'AC00000000000000000000000000c0f0';
const TOKEN = 'twilio-conformance-auth-token-0123';
const FROM = '+15005550006';
const TO = '+447700900123';
const MESSAGE_ID = 'conformance-1';
const CALLBACK_URL = `https://platform.example/webhooks/comms/twilio_sms?message_id=${MESSAGE_ID}`;

/** Twilio's Message resource statuses (its "Message Status values" reference), outbound and inbound. */
const DOCUMENTED = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
];

const form = (cb: ProviderCallback) => new URLSearchParams(cb.body.toString('utf8'));
const swapCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new TwilioFake(SID, TOKEN).start();
    const config = {
      credentials: { account_sid: SID, auth_token: TOKEN, from_number: FROM },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { auth_token: 'twilio-wrong-auth-token-9876' },
      call: (c, config) =>
        c.sms!.send(config, { messageId: MESSAGE_ID, to: TO, body: 'Hi' }, { statusCallbackUrl: CALLBACK_URL }),
      webhooks: {
        // the fields of the fake's messageStatusCallback, for a new message each time (the event id is sid:status)
        signed: ({ status = 'delivered' }) => {
          const sid = `SM${randomBytes(16).toString('hex')}`;
          const hook = fake.formWebhook(CALLBACK_URL, {
            ApiVersion: '2010-04-01',
            AccountSid: SID,
            MessageSid: sid,
            SmsSid: sid,
            MessageStatus: status,
            SmsStatus: status,
            From: FROM,
            To: TO,
            ...(['failed', 'undelivered'].includes(status) ? { ErrorCode: '30003' } : {}),
          });
          return { url: hook.url, headers: hook.headers, body: Buffer.from(hook.body) };
        },
        verifying: ['auth_token'],
        unsigned: (cb) => {
          const { 'x-twilio-signature': _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // every form field is signed: a changed MessageStatus breaks the signature
        tampered: (cb) => {
          const p = form(cb);
          p.set('MessageStatus', p.get('MessageStatus') === 'failed' ? 'delivered' : 'failed');
          return { ...cb, body: Buffer.from(p.toString()) };
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'x-twilio-signature': swapCase(cb.headers['x-twilio-signature']) },
        }),
        exempt: {
          stale:
            'X-Twilio-Signature signs the URL and the form fields, no timestamp (Twilio documents no replay window): a replay keys the same event <MessageSid>:<MessageStatus>',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: TWILIO_SMS_STATUS_TABLE,
    lifecycles: [
      ['queued', 'sending', 'sent', 'delivered', 'read'],
      ['accepted', 'queued', 'sending', 'sent', 'undelivered'],
      ['accepted', 'queued', 'sending', 'sent', 'partially_delivered'],
      ['accepted', 'queued', 'failed'],
      ['scheduled', 'canceled'],
      ['accepted', 'scheduled', 'queued', 'sent', 'delivered'],
      ['receiving', 'received'],
    ],
  },
};
