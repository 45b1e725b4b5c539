import { randomBytes } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { STATUS as TWILIO_VOICE_STATUS_TABLE } from './twilio_voice.connector';
import { TwilioFake } from './twilio.fake';

const SID = 'AC00000000000000000000000000c0f1';
const TOKEN = 'twilio-conformance-auth-token-4567';
const FROM = '+15005550006';
const AGENT = '+15005550010';
const MESSAGE_ID = 'conformance-1';
const CALLBACK_URL = `https://platform.example/webhooks/comms/twilio_voice?message_id=${MESSAGE_ID}`;

/** Twilio's CallStatus values (its Call resource and status-callback references). */
const DOCUMENTED = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'failed',
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
      wrongCredentials: { auth_token: 'twilio-wrong-auth-token-5432' },
      call: (c, config) =>
        c.voice!.call(
          config,
          { messageId: MESSAGE_ID, to: '+447700900123', agent: AGENT },
          { statusCallbackUrl: CALLBACK_URL },
        ),
      webhooks: {
        // the fields of the fake's callStatusCallback, for a new call each time (the event id is sid:status)
        signed: ({ status = 'completed', atMs }) => {
          const sid = `CA${randomBytes(16).toString('hex')}`;
          const hook = fake.formWebhook(CALLBACK_URL, {
            ApiVersion: '2010-04-01',
            AccountSid: SID,
            CallSid: sid,
            CallStatus: status,
            Direction: 'outbound-api',
            From: FROM,
            To: AGENT,
            CallbackSource: 'call-progress-events',
            SequenceNumber: '0',
            Timestamp: new Date(atMs ?? Date.now()).toUTCString().replace('GMT', '+0000'),
            ...(status === 'completed' ? { CallDuration: '42' } : {}),
          });
          return { url: hook.url, headers: hook.headers, body: Buffer.from(hook.body) };
        },
        verifying: ['auth_token'],
        unsigned: (cb) => {
          const { 'x-twilio-signature': _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // every form field is signed: a changed CallStatus breaks the signature
        tampered: (cb) => {
          const p = form(cb);
          p.set('CallStatus', p.get('CallStatus') === 'busy' ? 'completed' : 'busy');
          return { ...cb, body: Buffer.from(p.toString()) };
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'x-twilio-signature': swapCase(cb.headers['x-twilio-signature']) },
        }),
        exempt: {
          stale:
            'X-Twilio-Signature signs the URL and the form fields and Twilio documents no replay window (its Timestamp field orders callbacks): a replay keys the same event <CallSid>:<CallStatus>',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: TWILIO_VOICE_STATUS_TABLE,
    lifecycles: [
      ['queued', 'initiated', 'ringing', 'in-progress', 'completed'],
      ['queued', 'initiated', 'ringing', 'busy'],
      ['queued', 'initiated', 'ringing', 'no-answer'],
      ['queued', 'initiated', 'failed'],
      ['queued', 'canceled'],
      ['initiated', 'ringing', 'canceled'],
    ],
  },
};
