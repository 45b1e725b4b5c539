import { SendgridFake, TwilioFake } from '@app/testing';
import { ConnectorError } from '../connector-error';
import type { InboundCallback } from '../ports/delivery.port';
import { sendgridEventParser } from './sendgrid.events';
import { connector as twilioSms } from './twilio_sms.connector';
import { connector as twilioVoice } from './twilio_voice.connector';

const cb = (body: string | Buffer, headers: Record<string, string>, url = 'https://hooks.example/webhooks/comms/x'): InboundCallback =>
  ({ method: 'POST', url, headers, body: Buffer.from(body) });

describe('twilio status lookup', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('maps the inherited name %s to no status', (name) => {
    const fake = new TwilioFake('AC1', 'tok');
    const config = { credentials: { account_sid: 'AC1', auth_token: 'tok' }, settings: {} };
    const url = 'https://hooks.example/webhooks/comms/twilio_sms?message_id=m-1';
    const sms = fake.formWebhook(url, { MessageSid: 'SM1', MessageStatus: name });
    expect(twilioSms.sms!.parseCallback(config, cb(sms.body, sms.headers, url)).events[0].status).toBeNull();
    const call = fake.formWebhook(url, { CallSid: 'CA1', CallStatus: name });
    expect(twilioVoice.voice!.parseCallback(config, cb(call.body, call.headers, url)).events[0].status).toBeNull();
  });
});

describe('sendgrid signed event timestamp window', () => {
  const fake = new SendgridFake({ apiKey: 'SG.k' });
  const config = { credentials: { api_key: 'SG.k', webhook_verification_key: fake.publicKeyBase64 }, settings: {} };
  const T = 1_700_000_000;
  const signedAt = (ts: number) => fake.signedEvents([{ event: 'delivered', email: 'l@example.com', sg_event_id: `e-${ts}`, sg_message_id: 'X.f', timestamp: ts }], ts);
  const parseAt = (nowSeconds: number, ts: number) => {
    const s = signedAt(ts);
    return sendgridEventParser(() => nowSeconds * 1000)(config, cb(s.body, s.headers));
  };
  const failure = (fn: () => unknown) => { try { fn(); return null; } catch (e) { return e as ConnectorError; } };

  it('accepts a batch signed now, 72 hours ago and 5 minutes ahead', () => {
    expect(parseAt(T, T).events).toHaveLength(1);
    expect(parseAt(T, T - 72 * 3600).events).toHaveLength(1);
    expect(parseAt(T, T + 300).events).toHaveLength(1);
  });

  it('refuses as bad_signature (401) a batch older than 72 hours, from 2001, or more than 5 minutes ahead', () => {
    for (const ts of [T - 72 * 3600 - 1, 1_000_000_000, T + 301]) {
      const err = failure(() => parseAt(T, ts));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err!.code).toBe('bad_signature');
      expect(err!.message).toContain('window');
    }
  });
});
