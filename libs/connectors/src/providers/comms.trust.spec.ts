import { ConnectorError } from '../connector-error';
import type { InboundCallback } from '../ports/delivery.port';
import { sendgridEventParser } from './sendgrid/sendgrid.events';
import { SendgridFake } from './sendgrid/sendgrid.fake';
import { connector as twilioSms } from './twilio/twilio_sms.connector';
import { connector as twilioVoice } from './twilio/twilio_voice.connector';
import { TwilioFake } from './twilio/twilio.fake';
import { connector as zadarma } from './zadarma/zadarma.connector';
import { ZadarmaFake } from './zadarma/zadarma.fake';

const cb = (
  body: string | Buffer,
  headers: Record<string, string>,
  url = 'https://hooks.example/webhooks/comms/x',
): InboundCallback => ({ method: 'POST', url, headers, body: Buffer.from(body) });

describe('twilio status lookup', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'maps the inherited name %s to no status',
    (name) => {
      const fake = new TwilioFake('AC1', 'tok');
      const config = { credentials: { account_sid: 'AC1', auth_token: 'tok' }, settings: {} };
      const url = 'https://hooks.example/webhooks/comms/twilio_sms?message_id=m-1';
      const sms = fake.formWebhook(url, { MessageSid: 'SM1', MessageStatus: name });
      expect(twilioSms.sms!.parseCallback(config, cb(sms.body, sms.headers, url)).events[0].status).toBeNull();
      const call = fake.formWebhook(url, { CallSid: 'CA1', CallStatus: name });
      expect(twilioVoice.voice!.parseCallback(config, cb(call.body, call.headers, url)).events[0].status).toBeNull();
    },
  );
});

describe('sendgrid signed event timestamp window', () => {
  const fake = new SendgridFake({ apiKey: 'SG.k' });
  const config = { credentials: { api_key: 'SG.k', webhook_verification_key: fake.publicKeyBase64 }, settings: {} };
  const T = 1_700_000_000;
  const signedAt = (ts: number) =>
    fake.signedEvents(
      [{ event: 'delivered', email: 'l@example.com', sg_event_id: `e-${ts}`, sg_message_id: 'X.f', timestamp: ts }],
      ts,
    );
  const parseAt = (nowSeconds: number, ts: number) => {
    const s = signedAt(ts);
    return sendgridEventParser(() => nowSeconds * 1000)(config, cb(s.body, s.headers));
  };
  const failure = (fn: () => unknown) => {
    try {
      fn();
      return null;
    } catch (e) {
      return e as ConnectorError;
    }
  };

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

describe('zadarma notifications: what the signature covers', () => {
  const fake = new ZadarmaFake('zd-key', 'zd-secret-trust');
  const config = () => ({
    credentials: { api_key: 'zd-key', api_secret: 'zd-secret-trust' },
    settings: { base_url: fake.baseUrl },
  });
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const parse = (n: { body: string; headers: Record<string, string> }) =>
    zadarma.voice!.parseCallback(config(), cb(n.body, n.headers)).events[0];
  const signed = { call_start: '2026-12-01 10:00:00', internal: '100', destination: '442037691881' };

  it('keys de-duplication on the signed fields and the event, not on the unsigned pbx_call_id', () => {
    const a = parse(fake.notification('NOTIFY_OUT_START', { ...signed, pbx_call_id: 'in_a' }));
    const b = parse(fake.notification('NOTIFY_OUT_START', { ...signed, pbx_call_id: 'in_b' }));
    const end = parse(
      fake.notification('NOTIFY_OUT_END', { ...signed, pbx_call_id: 'in_a', disposition: 'answered', duration: '5' }),
    );
    expect(b.providerEventId).toBe(a.providerEventId);
    expect(end.providerEventId).not.toBe(a.providerEventId);
    expect(a.providerEventId).not.toContain('in_a');
  });

  it("takes a call's outcome and duration from Zadarma's statistics, not from the notification", async () => {
    const rec = { from: '100', to: '442037691881', time: Math.floor(Date.parse('2026-12-01T10:00:00Z') / 1000) };
    const [start] = fake.outboundCall(rec, 'no answer', 0);
    // a NOTIFY_OUT_START signature replayed as NOTIFY_OUT_END: the same three fields are signed
    const forged = parse(
      fake.notification('NOTIFY_OUT_END', {
        ...start.fields,
        event: 'NOTIFY_OUT_END',
        disposition: 'answered',
        duration: '3600',
      }),
    );
    const confirmed = await zadarma.voice!.confirmCallback!(config(), forged, {});
    expect(confirmed).toMatchObject({
      status: 'no_answer',
      details: { duration_seconds: 0, disposition: 'no answer', confirmed: true },
    });
    expect(confirmed.unconfirmed).toBeUndefined();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/statistics/pbx/' });
    expect(fake.requests.at(-1)!.rejected).toBeFalsy();
  });

  it('records an outcome it cannot confirm as unconfirmed: no statistics row, a row of another call, or the API refusing', async () => {
    const claim = (pbx: string) =>
      parse(
        fake.notification('NOTIFY_OUT_END', { ...signed, pbx_call_id: pbx, disposition: 'answered', duration: '3600' }),
      );
    expect((await zadarma.voice!.confirmCallback!(config(), claim('in_none'), {})).unconfirmed).toContain('no call');
    // the row of another call (other destination) under the claimed pbx_call_id
    fake.stats.push({
      call_id: '1',
      sip: '100',
      callstart: signed.call_start,
      clid: '100',
      destination: '15550001111',
      disposition: 'answered',
      seconds: 3600,
      is_recorded: false,
      pbx_call_id: 'in_other',
    });
    expect((await zadarma.voice!.confirmCallback!(config(), claim('in_other'), {})).unconfirmed).toContain('no call');
    const bad = { credentials: { api_key: 'zd-key', api_secret: 'wrong' }, settings: { base_url: fake.baseUrl } };
    const refused = await zadarma.voice!.confirmCallback!(bad, claim('in_other'), {});
    expect(refused).toMatchObject({ status: 'completed', providerStatus: expect.stringContaining('unconfirmed') });
    expect(refused.unconfirmed).toContain('Not authorized');
    expect(JSON.stringify(refused)).not.toContain('wrong');
  });

  it('leaves events that carry no outcome alone', async () => {
    const start = parse(fake.notification('NOTIFY_OUT_START', { ...signed, pbx_call_id: 'in_a' }));
    expect(await zadarma.voice!.confirmCallback!(config(), start, {})).toEqual(start);
    expect(fake.requests).toHaveLength(0);
  });
});
