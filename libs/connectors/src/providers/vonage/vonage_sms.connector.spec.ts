import { createHash, createHmac } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import type { ConnectorConfig } from '../../types';
import { connector, VONAGE_DLR_STATUSES, vonageDlrParser } from './vonage_sms.connector';
import { VonageFake } from './vonage.fake';
import { verifyVonageSignature, vonageSignature, vonageSignedString } from './vonage.signing';

// docs/providers/vonage_sms.md#test-vectors
const SECRET = 'vonage-sig-secret-1';
const DLR: Record<string, string> = {
  'err-code': '0',
  'message-timestamp': '2023-11-14 22:13:20',
  messageId: '0B00000127FDBC63',
  msisdn: '447700900123',
  nonce: '7d3b1a4c',
  status: 'delivered',
  timestamp: '1700000000',
  to: 'Broker',
  'client-ref': '9f1c4c1e-0000-4000-8000-000000000001',
};
const SHA256 = '57AEB4EDE0BD99104F487725D638EA1A59EAC46BA8CE31CAD5C08A4A0F65653F';
const MD5HASH = '3ae807c2561f474e118247696f9de6e6';
const AT = () => 1700000000_000;

describe('vonage signed webhooks (fixed test vectors)', () => {
  it('signs the sorted &name=value string: upper-case HMAC-SHA256, lower-case md5(string + secret)', () => {
    const s = vonageSignedString({ ...DLR, sig: 'ignored' });
    expect(s).toBe(
      '&client-ref=9f1c4c1e-0000-4000-8000-000000000001&err-code=0&message-timestamp=2023-11-14 22:13:20&messageId=0B00000127FDBC63&msisdn=447700900123&nonce=7d3b1a4c&status=delivered&timestamp=1700000000&to=Broker',
    );
    expect(createHmac('sha256', SECRET).update(s).digest('hex').toUpperCase()).toBe(SHA256);
    expect(
      createHash('md5')
        .update(s + SECRET)
        .digest('hex'),
    ).toBe(MD5HASH);
    expect(vonageSignature(SECRET, DLR, 'sha256')).toBe(SHA256);
    expect(vonageSignature(SECRET, DLR, 'md5hash')).toBe(MD5HASH);
    expect(vonageSignature(SECRET, { a: 'x&y=z' }, 'sha256')).toBe(vonageSignature(SECRET, { a: 'x_y_z' }, 'sha256'));
  });

  it('refuses a forged, tampered, re-cased, unsigned or stale receipt', () => {
    expect(() => verifyVonageSignature(SECRET, { ...DLR, sig: SHA256 }, 'sha256', AT)).not.toThrow();
    expect(() => verifyVonageSignature(SECRET, { ...DLR, sig: MD5HASH }, 'md5hash', AT)).not.toThrow();
    expect(() => verifyVonageSignature('other', { ...DLR, sig: SHA256 }, 'sha256', AT)).toThrow('does not match');
    expect(() => verifyVonageSignature(SECRET, { ...DLR, status: 'failed', sig: SHA256 }, 'sha256', AT)).toThrow(
      'does not match',
    );
    expect(() => verifyVonageSignature(SECRET, { ...DLR, sig: SHA256.toLowerCase() }, 'sha256', AT)).toThrow(
      'does not match',
    );
    expect(() => verifyVonageSignature(SECRET, DLR, 'sha256', AT)).toThrow('not signed');
    expect(() => verifyVonageSignature(SECRET, { ...DLR, sig: SHA256 }, 'sha256', () => AT() + 16 * 60_000)).toThrow(
      'window',
    );
    expect(() => verifyVonageSignature(SECRET, { ...DLR, sig: SHA256 }, 'sha256')).toThrow('window');
  });
});

describe('vonage_sms connector against VonageFake', () => {
  const creds = { api_key: 'a1b2c3d4', api_secret: 'vonage-api-secret-1', signature_secret: SECRET, from: 'Broker' };
  const fake = new VonageFake({ apiKey: creds.api_key, apiSecret: creds.api_secret, signatureSecret: SECRET });
  const config = (c: Record<string, string> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...creds, ...c },
    settings: { base_url: fake.baseUrl, ...settings },
  });
  const opts = { statusCallbackUrl: 'https://public.example/webhooks/comms/vonage_sms?message_id=m-1' };
  const json = (p: Record<string, string>) => ({
    method: 'POST',
    url: 'https://public.example/webhooks/comms/vonage_sms',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(p)),
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares its manifest', () => {
    expect(connector.manifest).toMatchObject({ key: 'vonage_sms', category: 'sms', hosts: ['rest.nexmo.com'] });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required, !!f.label])).toEqual([
      ['api_key', false, true, true],
      ['api_secret', true, true, true],
      ['signature_secret', true, false, true],
      ['from', false, true, true],
    ]);
  });

  it('test() asks the balance; wrong credentials are auth and never appear in the error', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests[0].path).toBe('/account/get-balance');
    const e = await failure(connector.test(config({ api_secret: 'wrong-secret' })));
    expect([e.code, e.options.httpStatus]).toEqual(['auth', 401]);
    expect(e.message).not.toContain('wrong-secret');
    expect((await failure(connector.test(config({}, { signature_method: 'crc32' })))).code).toBe('invalid_config');
  });

  it('sends the form Vonage documents: to without +, client-ref, callback without our query', async () => {
    const r = await connector.sms!.send(config(), { messageId: 'm-1', to: '+447700900123', body: 'Hello' }, opts);
    const [sms] = fake.sent;
    expect(r).toEqual({
      providerMessageId: sms.ids[0],
      status: 'sent',
      providerStatus: '0',
      parts: [{ providerMessageId: sms.ids[0], status: 'sent', providerStatus: '0' }],
    });
    expect(Object.fromEntries(sms.form)).toEqual({
      api_key: creds.api_key,
      api_secret: creds.api_secret,
      from: 'Broker',
      to: '447700900123',
      text: 'Hello',
      'client-ref': 'm-1',
      callback: 'https://public.example/webhooks/comms/vonage_sms',
      'status-report-req': '1',
    });
  });

  it('answers every part of a long message', async () => {
    const r = await connector.sms!.send(
      config(),
      { messageId: 'm-2', to: '+447700900123', body: 'x'.repeat(200) },
      opts,
    );
    expect(r.parts).toHaveLength(2);
    expect(r.parts!.map((p) => p.providerMessageId)).toEqual(fake.sent[0].ids);
    const u = await connector.sms!.send(
      config(),
      { messageId: 'm-3', to: '+447700900123', body: 'é'.repeat(100) },
      opts,
    );
    expect(u.parts).toHaveLength(2);
    expect(fake.sent[1].form.get('type')).toBe('unicode');
  });

  it('maps the status codes of a refused send', async () => {
    const e = await failure(
      connector.sms!.send(config({ api_secret: 'bad' }), { messageId: 'm', to: '+447700900123', body: 'x' }, opts),
    );
    expect([e.code, e.message]).toEqual(['auth', 'Vonage status 4: Bad Credentials']);
    fake.failNext({
      status: 200,
      body: { 'message-count': '1', messages: [{ status: '1', 'error-text': 'Throughput Rate Exceeded' }] },
    });
    const t = await failure(connector.sms!.send(config(), { messageId: 'm', to: '+447700900123', body: 'x' }, opts));
    expect([t.code, t.retryable]).toEqual(['rate_limited', true]);
    fake.failNext({
      status: 200,
      body: { 'message-count': '1', messages: [{ status: '29', 'error-text': 'Non White-listed Destination' }] },
    });
    const w = await failure(connector.sms!.send(config(), { messageId: 'm', to: '+447700900123', body: 'x' }, opts));
    expect([w.code, w.retryable]).toEqual(['refused', false]);
    fake.failNext({
      status: 200,
      body: {
        'message-count': '2',
        messages: [
          { status: '0', 'message-id': 'A1' },
          { status: '6', 'error-text': 'Invalid Message' },
        ],
      },
    });
    const half = await connector.sms!.send(config(), { messageId: 'm-h', to: '+447700900123', body: 'x' }, opts);
    expect(half).toMatchObject({
      providerMessageId: 'A1',
      status: 'failed',
      parts: [{ status: 'sent' }, { status: 'failed' }],
    });
  });

  it('reads signed receipts (JSON, form or GET query) for each part, with the nonce as single-use token', async () => {
    await connector.sms!.send(config(), { messageId: 'm-4', to: '+447700900123', body: 'x'.repeat(200) }, opts);
    const parse = connector.sms!.parseCallback;
    const p0 = fake.dlr('m-4', 0);
    const r = parse(config(), json(p0));
    expect(r.events[0]).toMatchObject({
      messageId: 'm-4',
      providerMessageId: fake.sent[0].ids[0],
      status: 'delivered',
    });
    expect(r.replayGuard).toEqual({ token: p0.nonce, ttlMs: expect.any(Number) });
    const p1 = fake.dlr('m-4', 1, 'failed');
    expect(
      parse(config(), { ...json(p1), headers: {}, body: Buffer.from(new URLSearchParams(p1).toString()) }).events[0],
    ).toMatchObject({
      providerMessageId: fake.sent[0].ids[1],
      status: 'failed',
      details: { error_code: '1' },
    });
    const q = new URLSearchParams(fake.dlr('m-4', 1, 'expired')).toString();
    expect(
      parse(config(), {
        method: 'GET',
        url: `https://public.example/webhooks/comms/vonage_sms?${q}`,
        headers: {},
        body: Buffer.alloc(0),
      }).events[0].status,
    ).toBe('undelivered');
    expect(VONAGE_DLR_STATUSES.map((s) => parse(config(), json(fake.dlr('m-4', 0, s))).events[0].status)).toEqual([
      'sent',
      'sent',
      'delivered',
      'undelivered',
      'failed',
      'failed',
      null,
    ]);
    expect(parse(config(), json(fake.dlr('m-4', 0, 'constructor'))).events[0].status).toBeNull();
  });

  it('refuses unsigned, tampered, stale, other-key receipts and any without a signature secret', () => {
    const parse = connector.sms!.parseCallback;
    const code = (f: () => unknown) => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    const p = fake.dlr('none', 0);
    expect(code(() => parse(config(), json({ ...p, sig: '' })))).toBe('bad_signature');
    expect(code(() => parse(config(), json({ ...p, status: 'failed' })))).toBe('bad_signature');
    expect(code(() => parse(config({ signature_secret: '' }), json(p)))).toBe('bad_signature');
    expect(code(() => parse(config({}, { signature_method: 'md5hash' }), json(p)))).toBe('bad_signature');
    expect(code(() => parse(config({ api_key: 'other' }), json(p)))).toBe('bad_signature');
    expect(code(() => vonageDlrParser(() => Date.now() + 16 * 60_000)(config(), json(p)))).toBe('bad_signature');
    expect(code(() => parse(config(), { ...json(p), body: Buffer.from('{not json') }))).toBe('bad_signature');
  });
});
