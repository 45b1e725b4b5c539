import { createHmac, randomUUID } from 'node:crypto';

import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector, sumsubKyc } from './sumsub.connector';
import { COUNTRY_COUNT, toAlpha2 } from './sumsub.countries';
import { SumsubFake } from './sumsub.fake';
import { mapSumsubStatus, parseSumsubTime, sumsubDetails, sumsubProviderStatus } from './sumsub.mapping';

const CREDS = { app_token: 'sbx:kyc-port-token', secret_key: 'kyc-port-secret', webhook_secret: 'kyc-port-webhook' };

describe('SumSub status mapping (docs/providers/sumsub.md)', () => {
  it.each([
    ['init', undefined, 'pending'],
    ['pending', undefined, 'pending'],
    ['queued', undefined, 'pending'],
    ['prechecked', undefined, 'pending'],
    ['awaitingService', undefined, 'pending'],
    ['awaitingUser', undefined, 'pending'],
    ['onHold', undefined, 'on_hold'],
    ['completed', { reviewAnswer: 'GREEN' }, 'approved'],
    ['completed', { reviewAnswer: 'RED', reviewRejectType: 'RETRY' }, 'resubmission_requested'],
    ['completed', { reviewAnswer: 'RED', reviewRejectType: 'FINAL' }, 'rejected'],
    ['completed', undefined, null],
    ['somethingNew', undefined, null],
  ])('%s %j -> %s', (reviewStatus, result, expected) => {
    expect(mapSumsubStatus(reviewStatus, result)).toBe(expected);
  });

  it('maps through its own table only: neither a recorded key nor an inherited name is a review status', () => {
    expect(mapSumsubStatus('completed/GREEN', undefined)).toBeNull();
    expect(mapSumsubStatus('constructor', undefined)).toBeNull();
    expect(mapSumsubStatus('constructor', undefined, 'applicantPending')).toBe('pending');
    expect(mapSumsubStatus('pending', undefined, 'applicantOnHold')).toBe('on_hold');
  });

  it('trusts reviewAnswer only once the review is completed', () => {
    expect(mapSumsubStatus('pending', { reviewAnswer: 'GREEN' })).toBe('pending');
    expect(sumsubProviderStatus('pending', { reviewAnswer: 'GREEN' })).toBe('pending');
    expect(sumsubProviderStatus('completed', { reviewAnswer: 'RED', reviewRejectType: 'RETRY' })).toBe(
      'completed/RED/RETRY',
    );
  });

  it('reads createdAtMs as UTC', () => {
    expect(parseSumsubTime('2024-01-01 00:00:00.000')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseSumsubTime('garbage')).toBeNull();
    expect(parseSumsubTime(undefined)).toBeNull();
  });

  it('converts every alpha-3 country to alpha-2', () => {
    expect(COUNTRY_COUNT).toBe(250);
    expect([
      toAlpha2('GBR'),
      toAlpha2('deu'),
      toAlpha2('PRK'),
      toAlpha2('XKX'),
      toAlpha2('GB'),
      toAlpha2('ZZZ'),
      toAlpha2(3),
    ]).toEqual(['GB', 'DE', 'KP', 'XK', 'GB', null, null]);
  });

  it('takes the identity document, not the selfie, for type, country, expiry and birth date', () => {
    expect(
      sumsubDetails({
        info: {
          dob: '1990-01-02',
          idDocs: [
            { idDocType: 'SELFIE', country: 'USA' },
            { idDocType: 'DRIVERS', country: 'CAN', validUntil: '2030-01-01' },
          ],
        },
      }),
    ).toEqual({ docType: 'driving_license', docCountry: 'CA', birthDate: '1990-01-02', docExpiry: '2030-01-01' });
    expect(sumsubDetails({ info: { country: 'FRA' } })).toEqual({
      docType: null,
      docCountry: 'FR',
      birthDate: null,
      docExpiry: null,
    });
  });

  it('drops dates that are not on the calendar (the database would refuse them) and takes the next known one', () => {
    expect(
      sumsubDetails({
        info: {
          dob: '1990-02-28',
          idDocs: [{ idDocType: 'PASSPORT', country: 'GBR', dob: '1990-02-30', validUntil: '2031-13-01' }],
        },
      }),
    ).toEqual({ docType: 'passport', docCountry: 'GB', birthDate: '1990-02-28', docExpiry: null });
  });
});

describe('sumsub KycPort against SumsubFake', () => {
  const fake = new SumsubFake({
    appToken: CREDS.app_token,
    secretKey: CREDS.secret_key,
    webhookSecret: CREDS.webhook_secret,
    levels: ['basic-kyc-level', 'full'],
  });
  const config: () => ConnectorConfig = () => ({
    credentials: { ...CREDS },
    settings: { base_url: fake.baseUrl, level_name: 'full' },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it("is the connector's kyc port", () => {
    expect(connector.kyc).toBe(sumsubKyc);
  });

  it('creates the applicant (externalUserId = customer) and an SDK token, both signed', async () => {
    const customerId = randomUUID();
    const a = await sumsubKyc.createApplicant(config(), { customerId, email: 'x@example.com' });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /resources/applicants',
      'POST /resources/accessTokens/sdk',
    ]);
    const [create, token] = fake.requests;
    expect(create.query.get('levelName')).toBe('full');
    expect(JSON.parse(create.rawBody.toString())).toEqual({ externalUserId: customerId, email: 'x@example.com' });
    const ts = create.headers['x-app-access-ts'] as string;
    expect(create.headers['x-app-access-sig']).toBe(
      createHmac('sha256', CREDS.secret_key)
        .update(`${ts}POST/resources/applicants?levelName=full`)
        .update(create.rawBody)
        .digest('hex'),
    );
    expect(JSON.parse(token.rawBody.toString())).toEqual({ userId: customerId, levelName: 'full', ttlInSecs: 1800 });
    expect(fake.requests.every((r) => !r.rejected)).toBe(true);
    expect(a).toEqual({ providerId: fake.applicants.get(a.providerId)!.id, accessToken: fake.accessTokens[0].token });
  });

  it('finds the existing applicant when SumSub answers 409 for the external id', async () => {
    const customerId = randomUUID();
    const first = await sumsubKyc.createApplicant(config(), { customerId });
    const second = await sumsubKyc.createApplicant(config(), { customerId, levelName: 'basic-kyc-level' });
    expect(second.providerId).toBe(first.providerId);
    expect(fake.requests.map((r) => r.path)).toContain(`/resources/applicants/-;externalUserId=${customerId}/one`);
  });

  it('maps a refusal and a failure', async () => {
    const refused = await sumsubKyc
      .createApplicant(config(), { customerId: randomUUID(), levelName: 'nope' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'refused' });
    fake.failNext({ status: 503, body: { description: 'down' } });
    expect(await sumsubKyc.fetchDetails(config(), 'x').catch((e: unknown) => e)).toMatchObject({
      code: 'provider_error',
      retryable: true,
    });
  });

  it('fetches details and the review state', async () => {
    const a = await sumsubKyc.createApplicant(config(), { customerId: randomUUID() });
    fake.setApplicantInfo(a.providerId, {
      dob: '2001-03-04',
      idDocs: [{ idDocType: 'RESIDENCE_PERMIT', country: 'ITA', validUntil: '2029-09-09' }],
    });
    fake.completeReview(a.providerId, 'RED', 'FINAL', ['PEP']);
    expect(await sumsubKyc.fetchDetails(config(), a.providerId)).toEqual({
      docType: 'residence_permit',
      docCountry: 'IT',
      birthDate: '2001-03-04',
      docExpiry: '2029-09-09',
    });
    expect(await sumsubKyc.fetchReview(config(), a.providerId)).toEqual({
      status: 'rejected',
      providerStatus: 'completed/RED/FINAL',
      rejectLabels: ['PEP'],
      occurredAt: null,
    });
  });

  it('verifies and maps webhooks; the key is correlationId, else a digest of the body', async () => {
    const a = await sumsubKyc.createApplicant(config(), { customerId: randomUUID() });
    fake.completeReview(a.providerId, 'GREEN');
    const hook = fake.webhookFor(a.providerId, undefined, 'HMAC_SHA512_HEX');
    const e = sumsubKyc.parseWebhook(config(), hook);
    const body = JSON.parse(hook.body.toString()) as { correlationId: string; externalUserId: string };
    expect(e).toMatchObject({
      eventKey: body.correlationId,
      eventType: 'applicantReviewed',
      providerId: a.providerId,
      customerRef: body.externalUserId,
      status: 'approved',
      providerStatus: 'completed/GREEN',
      needsDetails: true,
      rejectLabels: [],
    });
    const noId = fake.signedWebhook({ applicantId: a.providerId, type: 'applicantPending', reviewStatus: 'pending' });
    expect(sumsubKyc.parseWebhook(config(), noId)).toMatchObject({
      eventKey: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      status: 'pending',
      needsDetails: false,
      occurredAt: null,
    });
    const err = (() => {
      try {
        sumsubKyc.parseWebhook(config(), { body: hook.body, headers: {} });
      } catch (x) {
        return x;
      }
    })();
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'bad_signature' });
    const notJson = {
      body: Buffer.from('not json'),
      headers: {
        'x-payload-digest': createHmac('sha256', CREDS.webhook_secret).update('not json').digest('hex'),
        'x-payload-digest-alg': 'HMAC_SHA256_HEX',
      },
    };
    expect(() => sumsubKyc.parseWebhook(config(), notJson)).toThrow('not JSON');
  });
});
