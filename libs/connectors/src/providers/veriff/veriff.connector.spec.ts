import { createHmac, randomUUID } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import { KYC_STATUSES } from '../../ports/kyc.port';
import type { ConnectorConfig } from '../../types';
import { connector } from './veriff.connector';
import { VeriffFake } from './veriff.fake';
import { mapVeriffStatus, VERIFF_DECISION_STATUSES, VERIFF_STATUSES } from './veriff.mapping';
import { veriffSignature, verifyVeriffWebhook } from './veriff.signing';

// docs/providers/veriff.md#test-vectors
const SECRET = 'veriff-test-shared-secret-0001';
const SESSION = '12df6045-3846-3e45-946a-14fa6136d78b';
const SESSION_SIG = '1cf4a751e118108b5b04238359685cd22a2067e77585f6eebd42ddc17909fa46';
const BODY =
  '{"status":"success","verification":{"id":"12df6045-3846-3e45-946a-14fa6136d78b","status":"approved","code":9001,' +
  '"vendorData":"7c0ab0c4-1f6e-4d1f-9b45-0b5f3c1d2e8a","decisionTime":"2026-12-01T10:00:00.000Z",' +
  '"document":{"type":"PASSPORT","country":"GB","validUntil":"2035-06-30"},"person":{"dateOfBirth":"1990-05-05"}}}';
const BODY_SIG = '7c8c678201cad6cee621efad7a2ab2761d183190a4285ae59153c300a0587a8a';

const API_KEY = 'veriff-api-key-0123456789abcdef';
const SHARED = 'veriff-shared-secret-fedcba9876543210';

describe('veriff X-HMAC-SIGNATURE (fixed test vectors)', () => {
  it('is hex HMAC-SHA256(shared secret, raw body | session id), as node:crypto computes it', () => {
    expect(createHmac('sha256', SECRET).update(BODY).digest('hex')).toBe(BODY_SIG);
    expect(createHmac('sha256', SECRET).update(SESSION).digest('hex')).toBe(SESSION_SIG);
    expect(veriffSignature(SECRET, Buffer.from(BODY))).toBe(BODY_SIG);
    expect(veriffSignature(SECRET, SESSION)).toBe(SESSION_SIG);
    expect(() =>
      verifyVeriffWebhook(SECRET, undefined, Buffer.from(BODY), { 'x-hmac-signature': BODY_SIG }),
    ).not.toThrow();
  });

  it('refuses a missing, re-cased, forged, tampered or wrongly keyed signature, and another integration', () => {
    const body = Buffer.from(BODY);
    const refused = (b: Buffer, headers: Record<string, string>, secret = SECRET, apiKey?: string) => {
      try {
        verifyVeriffWebhook(secret, apiKey, b, headers);
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(refused(body, {})).toBe('bad_signature');
    expect(refused(body, { 'x-hmac-signature': BODY_SIG.toUpperCase() })).toBe('bad_signature');
    expect(refused(body, { 'x-hmac-signature': BODY_SIG.slice(0, 63) })).toBe('bad_signature');
    expect(refused(body, { 'x-hmac-signature': 'ab'.repeat(32) })).toBe('bad_signature');
    expect(refused(Buffer.from(BODY.replace('approved', 'declined')), { 'x-hmac-signature': BODY_SIG })).toBe(
      'bad_signature',
    );
    // the same JSON re-serialized with other whitespace is other bytes
    expect(refused(Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1)), { 'x-hmac-signature': BODY_SIG })).toBe(
      'bad_signature',
    );
    expect(refused(body, { 'x-hmac-signature': BODY_SIG }, 'other-secret')).toBe('bad_signature');
    expect(refused(body, { 'x-hmac-signature': BODY_SIG, 'x-auth-client': 'other-key' }, SECRET, 'my-key')).toBe(
      'bad_signature',
    );
    expect(refused(body, { 'X-HMAC-SIGNATURE': BODY_SIG, 'x-auth-client': 'my-key' }, SECRET, 'my-key')).toBe(
      'accepted',
    );
  });
});

describe('veriff status mapping', () => {
  it('maps every documented decision status onto the API statuses, own keys only', () => {
    expect(VERIFF_DECISION_STATUSES).toEqual({
      approved: 'approved',
      declined: 'rejected',
      resubmission_requested: 'resubmission_requested',
      expired: 'resubmission_requested',
      abandoned: 'resubmission_requested',
      review: 'on_hold',
    });
    for (const s of Object.values(VERIFF_DECISION_STATUSES)) expect(KYC_STATUSES).toContain(s);
    expect(VERIFF_STATUSES).toEqual(expect.arrayContaining(['started', 'submitted', 'approved', 'review']));
    for (const odd of ['constructor', 'toString', '__proto__', 'APPROVED', 'created', 7002, null])
      expect(mapVeriffStatus(odd)).toBeNull();
  });
});

describe('veriff connector against VeriffFake', () => {
  const fake = new VeriffFake({ apiKey: API_KEY, sharedSecret: SHARED });
  const config = (creds: Record<string, string> = {}): ConnectorConfig => ({
    credentials: { api_key: API_KEY, shared_secret: SHARED, ...creds },
    settings: { base_url: fake.baseUrl },
  });
  const kyc = connector.kyc!;

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares its manifest: labelled secret credentials and the documented host only', () => {
    expect(connector.manifest).toMatchObject({ key: 'veriff', category: 'kyc', settings: [] });
    expect(connector.manifest.hosts).toEqual(['stationapi.veriff.com']);
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required, !!f.label])).toEqual([
      ['api_key', true, true, true],
      ['shared_secret', true, true, true],
    ]);
  });

  it('test() signs a GET of an unknown session decision with its id; a wrong key or secret is auth', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    const [r] = fake.requests;
    expect(r.method).toBe('GET');
    const id = /^\/v1\/sessions\/([^/]+)\/decision$/.exec(r.path)![1];
    expect(r.headers['x-auth-client']).toBe(API_KEY);
    expect(r.headers['x-hmac-signature']).toBe(createHmac('sha256', SHARED).update(id).digest('hex'));
    expect(r.rejected).toBeUndefined();
    for (const creds of [{ api_key: 'nope-key' }, { shared_secret: 'nope-secret' }] as Record<string, string>[]) {
      const e = await failure(connector.test(config(creds)));
      expect([e.code, e.options.httpStatus]).toEqual(['auth', 401]);
      expect(e.message).not.toContain('nope');
      expect(e.message).not.toContain(SHARED);
    }
    expect((await failure(connector.test(config({ shared_secret: '' })))).code).toBe('invalid_config');
  });

  it('opens a session: vendorData is the customer id, the answer carries Veriff’s session url', async () => {
    const customerId = randomUUID();
    const a = await kyc.createApplicant(config(), { customerId, email: 'lead@example.com', phone: '+447700900123' });
    const [r] = fake.requests;
    expect([r.method, r.path, r.rejected]).toEqual(['POST', '/v1/sessions', undefined]);
    expect(r.headers['x-auth-client']).toBe(API_KEY);
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.rawBody.toString())).toEqual({
      verification: { person: { email: 'lead@example.com', phoneNumber: '+447700900123' }, vendorData: customerId },
    });
    const s = fake.sessions.get(a.providerId)!;
    expect(a).toEqual({ providerId: s.id, accessToken: s.sessionToken, verificationUrl: s.url });
    expect(s.vendorData).toBe(customerId);

    const bare = await kyc.createApplicant(config(), { customerId });
    expect(JSON.parse(fake.requests[1].rawBody.toString())).toEqual({ verification: { vendorData: customerId } });
    expect(bare.verificationUrl).toBe(fake.sessions.get(bare.providerId)!.url);

    const e = await failure(kyc.createApplicant(config({ api_key: 'wrong' }), { customerId }));
    expect([e.code, e.options.httpStatus]).toEqual(['auth', 401]);
    fake.failNext({ status: 503, body: { status: 'fail', code: 5000, message: 'down' } });
    const down = await failure(kyc.createApplicant(config(), { customerId }));
    expect([down.code, down.retryable]).toEqual(['provider_error', true]);
    fake.failNext({ status: 201, body: { status: 'success', verification: { id: 'x' } } });
    expect((await failure(kyc.createApplicant(config(), { customerId }))).code).toBe('provider_error');
  });

  it('reads the review and the document details from the signed decision endpoint', async () => {
    const customerId = randomUUID();
    const a = await kyc.createApplicant(config(), { customerId });
    expect(await kyc.fetchReview(config(), a.providerId)).toEqual({
      status: null,
      providerStatus: 'no_decision',
      rejectLabels: [],
      occurredAt: null,
    });
    expect(await kyc.fetchDetails(config(), a.providerId)).toEqual({
      docType: null,
      docCountry: null,
      birthDate: null,
      docExpiry: null,
    });
    fake.decide(a.providerId, 'approved', {
      document: { type: 'DRIVERS_LICENSE', country: 'ee', validUntil: '2031-02-28' },
      dateOfBirth: '1985-03-04',
      decisionTime: '2026-12-01T10:00:00.000Z',
    });
    const get = fake.requests.at(-1)!;
    expect(get.headers['x-hmac-signature']).toBe(createHmac('sha256', SHARED).update(a.providerId).digest('hex'));
    expect(await kyc.fetchReview(config(), a.providerId)).toEqual({
      status: 'approved',
      providerStatus: 'approved',
      rejectLabels: [],
      occurredAt: new Date('2026-12-01T10:00:00.000Z'),
    });
    expect(await kyc.fetchDetails(config(), a.providerId)).toEqual({
      docType: 'driving_license',
      docCountry: 'EE',
      birthDate: '1985-03-04',
      docExpiry: '2031-02-28',
    });
    fake.decide(a.providerId, 'declined', {
      reasonCode: 102,
      reason: 'Suspected document tampering',
      document: { type: 'VISA', country: 'DE', validUntil: '2030-02-30' },
      riskLabels: [{ label: 'document_integration_level_crosslinked_with_fraud', category: 'document' }],
    });
    expect(await kyc.fetchReview(config(), a.providerId)).toMatchObject({
      status: 'rejected',
      rejectLabels: ['reason:102', 'document_integration_level_crosslinked_with_fraud'],
    });
    // an unknown type is `other`; 30 February is no date
    expect(await kyc.fetchDetails(config(), a.providerId)).toMatchObject({ docType: 'other', docExpiry: null });
    expect((await failure(kyc.fetchReview(config(), randomUUID()))).options.httpStatus).toBe(404);
  });

  it('parses signed decision webhooks: status, customer, time, de-duplication key, details wanted', () => {
    const customerId = randomUUID();
    const id = randomUUID();
    fake.sessions.set(id, {
      id,
      url: `${fake.baseUrl}/v/t`,
      sessionToken: 't',
      vendorData: customerId,
      status: 'created',
      decision: null,
      attemptId: randomUUID(),
    });
    const at = '2026-12-02T08:30:00.000Z';
    const parse = (status: Parameters<VeriffFake['decide']>[1]) => {
      fake.decide(id, status, { decisionTime: at, reasonCode: status === 'approved' ? undefined : 201 });
      return kyc.parseWebhook(config(), fake.decisionWebhook(id));
    };
    const approved = parse('approved');
    expect(approved).toEqual({
      eventKey: `decision:${id}:approved:${at}`,
      eventType: 'decision',
      providerId: id,
      customerRef: customerId,
      status: 'approved',
      providerStatus: 'approved',
      rejectLabels: [],
      occurredAt: new Date(at),
      needsDetails: true,
      payload: expect.objectContaining({ status: 'success', verification: expect.objectContaining({ id }) }),
    });
    expect(
      (['declined', 'resubmission_requested', 'expired', 'abandoned', 'review'] as const).map((s) => {
        const e = parse(s);
        return [s, e.status, e.rejectLabels];
      }),
    ).toEqual([
      ['declined', 'rejected', ['reason:201']],
      ['resubmission_requested', 'resubmission_requested', ['reason:201']],
      ['expired', 'resubmission_requested', ['reason:201']],
      ['abandoned', 'resubmission_requested', ['reason:201']],
      ['review', 'on_hold', []],
    ]);
    // a retry of the same decision is the same key; the next decision of the session another
    const retry = kyc.parseWebhook(config(), fake.decisionWebhook(id));
    expect(retry.eventKey).toBe(kyc.parseWebhook(config(), fake.decisionWebhook(id)).eventKey);
    expect(retry.eventKey).not.toBe(approved.eventKey);
    // an unknown status is kept (history) without moving anything
    const odd = kyc.parseWebhook(
      config(),
      fake.signedWebhook({ status: 'success', verification: { id, status: 'constructor', vendorData: customerId } }),
    );
    expect([odd.status, odd.providerStatus, odd.needsDetails]).toEqual([null, 'constructor', false]);
  });

  it('parses signed event webhooks (started, submitted) without moving the status', () => {
    const id = randomUUID();
    const customerId = randomUUID();
    fake.sessions.set(id, {
      id,
      url: 'u',
      sessionToken: 't',
      vendorData: customerId,
      status: 'created',
      decision: null,
      attemptId: 'att-1',
    });
    const started = kyc.parseWebhook(config(), fake.eventWebhook(id, 'started'));
    expect(started).toMatchObject({
      eventKey: `event:${id}:att-1:started`,
      eventType: 'event:started',
      providerId: id,
      customerRef: customerId,
      status: null,
      providerStatus: 'started',
      needsDetails: false,
    });
    expect(kyc.parseWebhook(config(), fake.eventWebhook(id, 'submitted')).providerStatus).toBe('submitted');
  });

  it('refuses unsigned, forged, tampered, re-cased and other-integration webhooks, and any without a secret', () => {
    const id = randomUUID();
    fake.sessions.set(id, { id, url: 'u', sessionToken: 't', status: 'created', decision: null, attemptId: 'a' });
    fake.decide(id, 'approved');
    const good = fake.decisionWebhook(id);
    const code = (body: Buffer, headers: Record<string, string>, c = config()) => {
      try {
        kyc.parseWebhook(c, { body, headers });
        return 'accepted';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    const { 'x-hmac-signature': sig, ...unsigned } = good.headers;
    const tampered = Buffer.from(good.body.toString().replace('"approved"', '"declined"'));
    expect(code(good.body, good.headers)).toBe('accepted');
    expect(code(good.body, unsigned)).toBe('bad_signature');
    expect(code(good.body, { ...good.headers, 'x-hmac-signature': sig.toUpperCase() })).toBe('bad_signature');
    expect(code(good.body, { ...good.headers, 'x-hmac-signature': 'cd'.repeat(32) })).toBe('bad_signature');
    expect(code(tampered, good.headers)).toBe('bad_signature');
    expect(code(good.body, { ...good.headers, 'x-auth-client': 'another-integration' })).toBe('bad_signature');
    expect(code(good.body, good.headers, config({ shared_secret: 'other' }))).toBe('bad_signature');
    expect(code(good.body, good.headers, config({ shared_secret: '' }))).toBe('invalid_config');
    // signed but not an object: refused as a body, never parsed as an event
    const arr = fake.signedWebhook({});
    const notObject = Buffer.from('[1]');
    expect(code(notObject, { 'x-hmac-signature': veriffSignature(SHARED, notObject) })).toBe('refused');
    expect(code(arr.body, arr.headers)).toBe('accepted');
    let message = '';
    try {
      kyc.parseWebhook(config({ shared_secret: 'other-secret-value' }), good);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/does not match/);
    expect(message).not.toContain(SHARED);
    expect(message).not.toContain('other-secret-value');
  });
});
