import { ConnectorError } from '../connector-error';
import type { InboundCallback } from '../ports/delivery.port';
import { connector as sendgrid } from './sendgrid/sendgrid.connector';
import { SendgridFake } from './sendgrid/sendgrid.fake';
import { connector as twilioSms } from './twilio/twilio_sms.connector';
import { TwilioFake } from './twilio/twilio.fake';
import { connector as voiso } from './voiso/voiso.connector';
import { VoisoFake } from './voiso/voiso.fake';
import { connector as zadarma } from './zadarma/zadarma.connector';
import { ZadarmaFake } from './zadarma/zadarma.fake';

const cb = (
  body: string | Buffer,
  headers: Record<string, string>,
  url = 'https://hooks.example/webhooks/comms/x',
  method = 'POST',
): InboundCallback => ({ method, url, headers, body: Buffer.from(body) });

describe('delivery callbacks: verification and status mapping', () => {
  it('sendgrid: maps each event, suppresses hard bounces, spam reports and unsubscribes but not blocked bounces', () => {
    const fake = new SendgridFake({ apiKey: 'SG.k' });
    const config = { credentials: { api_key: 'SG.k', webhook_verification_key: fake.publicKeyBase64 }, settings: {} };
    const events = [
      'processed',
      'delivered',
      'open',
      'click',
      'dropped',
      'spamreport',
      'unsubscribe',
      'group_resubscribe',
    ].map((event, i) => ({
      event,
      email: 'Lead@Example.com',
      sg_event_id: `e${i}`,
      sg_message_id: 'XID.filter-1',
      message_id: 'm-1',
      timestamp: 1700000000 + i,
    }));
    events.push({
      event: 'bounce',
      type: 'blocked',
      email: 'lead@example.com',
      sg_event_id: 'b1',
      sg_message_id: 'XID.f',
      message_id: 'm-1',
      timestamp: 1700000010,
    } as never);
    events.push({
      event: 'bounce',
      type: 'bounce',
      email: 'lead@example.com',
      sg_event_id: 'b2',
      sg_message_id: 'XID.f',
      message_id: 'm-1',
      timestamp: 1700000011,
    } as never);
    const signed = fake.signedEvents(events);
    const { events: out } = sendgrid.email!.parseCallback!(config, cb(signed.body, signed.headers));
    expect(out.map((e) => [e.providerEventId, e.status, e.suppress?.reason ?? null])).toEqual([
      ['e0', 'queued', null],
      ['e1', 'delivered', null],
      ['e2', 'opened', null],
      ['e3', 'clicked', null],
      ['e4', 'failed', null],
      ['e5', 'spam', 'spam'],
      ['e6', 'unsubscribed', 'unsubscribe'],
      ['e7', null, null],
      ['b1', 'bounced', null],
      ['b2', 'bounced', 'bounce'],
    ]);
    expect(out[0]).toMatchObject({ messageId: 'm-1', providerMessageId: 'XID', at: new Date(1700000000_000) });
    expect(out[9].suppress).toEqual({ address: 'lead@example.com', reason: 'bounce' });
    expect(() =>
      sendgrid.email!.parseCallback!({ credentials: {}, settings: {} }, cb(signed.body, signed.headers)),
    ).toThrow(ConnectorError);
  });

  it('twilio sms: a STOP-ed recipient (21610) is suppressed; the URL is part of the signature', () => {
    const fake = new TwilioFake('AC1', 'tok');
    const config = { credentials: { account_sid: 'AC1', auth_token: 'tok' }, settings: {} };
    const url = 'https://hooks.example/webhooks/comms/twilio_sms?message_id=m-2';
    const hook = fake.formWebhook(url, {
      MessageSid: 'SM1',
      MessageStatus: 'undelivered',
      ErrorCode: '21610',
      To: '+15551234567',
    });
    const [e] = twilioSms.sms!.parseCallback(config, cb(hook.body, hook.headers, url)).events;
    expect(e).toMatchObject({
      messageId: 'm-2',
      providerMessageId: 'SM1',
      status: 'undelivered',
      suppress: { address: '+15551234567', reason: 'unsubscribe' },
    });
    expect(() => twilioSms.sms!.parseCallback(config, cb(hook.body, hook.headers, `${url}x`))).toThrow(
      'X-Twilio-Signature',
    );
  });

  it('zadarma: maps dispositions, accepts both signature encodings, answers zd_echo', () => {
    const fake = new ZadarmaFake('k', 'secret');
    const config = { credentials: { api_key: 'k', api_secret: 'secret' }, settings: {} };
    const fields = {
      call_start: '2024-01-01 10:00:00',
      pbx_call_id: 'in_1',
      internal: '100',
      destination: '442037691881',
      duration: '0',
    };
    for (const [disposition, status] of [
      ['busy', 'busy'],
      ['no answer', 'no_answer'],
      ['cancel', 'canceled'],
      ['no money', 'failed'],
      ['answered', 'completed'],
    ]) {
      for (const enc of ['hex', 'raw'] as const) {
        const n = fake.notification('NOTIFY_OUT_END', { ...fields, disposition }, enc);
        const [e] = zadarma.voice!.parseCallback(config, cb(n.body, n.headers)).events;
        expect([e.status, e.providerMessageId, e.correlationKey]).toEqual([status, 'in_1', '100|442037691881']);
      }
    }
    const echo = zadarma.voice!.parseCallback(
      config,
      cb('', {}, 'https://h.example/webhooks/comms/zadarma?zd_echo=abc', 'GET'),
    );
    expect(echo.reply).toEqual({ status: 200, contentType: 'text/plain', body: 'abc' });
    const unsigned = fake.notification('NOTIFY_OUT_START', fields);
    expect(() => zadarma.voice!.parseCallback(config, cb(unsigned.body, {}))).toThrow('Signature');
  });

  it('voiso: answered, hangup with and without a disposition, ended changes nothing', () => {
    const fake = new VoisoFake('key', 'wh');
    const config = { credentials: { cluster: 'cc-ams03', api_key: 'key', webhook_secret: 'wh' }, settings: {} };
    const parse = (event: string, data: Record<string, unknown> = {}) =>
      voiso.voice!.parseCallback(config, cb(fake.webhook(event, 'call-1', { data }).body, {})).events[0];
    expect(parse('outbound.call.answered').status).toBe('answered');
    expect(parse('outbound.call.hangup').status).toBe('completed');
    expect(parse('outbound.call.hangup', { disposition: 'busy' }).status).toBe('busy');
    expect(parse('outbound.call.hangup', { disposition: 'machine_answered' }).status).toBe('no_answer');
    expect(parse('outbound.call.ended')).toMatchObject({ status: null, providerEventId: 'call-1:outbound.call.ended' });
  });
});
