import { createHmac } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector } from './sumsub.connector';
import { SumsubFake } from './sumsub.fake';
import { sumsubAuthHeaders, sumsubPayloadDigest, sumsubSignature, verifySumsubWebhook } from './sumsub.signing';

const CREDS = { app_token: 'sbx:fake-app-token', secret_key: 'fake-secret-key', webhook_secret: 'fake-webhook-secret' };

describe('sumsub signing (fixed test vectors)', () => {
  const WEBHOOK_BODY =
    '{"applicantId":"66a1b2c3d4e5f60718293a4b","externalUserId":"crm-user-42","type":"applicantReviewed","levelName":"basic-kyc-level","reviewStatus":"completed","reviewResult":{"reviewAnswer":"GREEN"},"createdAtMs":"2024-01-01 00:00:00.000"}';

  it('signs an API request', () => {
    expect(
      sumsubSignature(
        'test-secret-key',
        1700000000,
        'POST',
        '/resources/applicants?levelName=basic-kyc-level',
        '{"externalUserId":"crm-user-42"}',
      ),
    ).toBe('a3efb7ca78356645b4d684bf3411d645e8cdf8e09b9d11c4908f3c7188589634');
    const h = sumsubAuthHeaders(
      'tok',
      'test-secret-key',
      'post',
      '/resources/applicants?levelName=basic-kyc-level',
      '{"externalUserId":"crm-user-42"}',
      1700000000_999,
    );
    expect(h).toEqual({
      'X-App-Token': 'tok',
      'X-App-Access-Ts': '1700000000',
      'X-App-Access-Sig': 'a3efb7ca78356645b4d684bf3411d645e8cdf8e09b9d11c4908f3c7188589634',
    });
  });

  it('computes and verifies webhook digests', () => {
    expect(sumsubPayloadDigest('whsec-demo', WEBHOOK_BODY)).toBe(
      'ebd428038b501ca28da243b2546697017d91d9955f84e57e53a97d7976c2ef43',
    );
    expect(sumsubPayloadDigest('whsec-demo', WEBHOOK_BODY, 'HMAC_SHA1_HEX')).toBe(
      '3913640ee168caaabbd657aac0e697e7d60844ce',
    );
    expect(() =>
      verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, {
        'X-Payload-Digest': '3913640ee168caaabbd657aac0e697e7d60844ce',
        'X-Payload-Digest-Alg': 'HMAC_SHA1_HEX',
      }),
    ).not.toThrow();
    const sha256 = {
      'x-payload-digest': 'ebd428038b501ca28da243b2546697017d91d9955f84e57e53a97d7976c2ef43',
      'x-payload-digest-alg': 'HMAC_SHA256_HEX',
    };
    expect(() => verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, sha256)).not.toThrow();
    expect(() => verifySumsubWebhook('whsec-demo', WEBHOOK_BODY.replace('GREEN', 'RED  '), sha256)).toThrow(
      ConnectorError,
    );
    expect(() => verifySumsubWebhook('other-secret', WEBHOOK_BODY, sha256)).toThrow('does not match');
    expect(() =>
      verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, { 'x-payload-digest-alg': 'HMAC_SHA256_HEX' }),
    ).toThrow('missing');
    expect(() => verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, { ...sha256, 'x-payload-digest-alg': 'MD5' })).toThrow(
      'unsupported',
    );
    expect(() =>
      verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, { 'x-payload-digest': sha256['x-payload-digest'] }),
    ).toThrow('unsupported');
    // inherited property names are not algorithms: a refusal (401 upstream), never a crash (500)
    for (const alg of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, { ...sha256, 'x-payload-digest-alg': alg })).toThrow(
        ConnectorError,
      );
      expect(() => verifySumsubWebhook('whsec-demo', WEBHOOK_BODY, { ...sha256, 'x-payload-digest-alg': alg })).toThrow(
        'unsupported',
      );
    }
  });
});

describe('sumsub connector against SumsubFake', () => {
  const fake = new SumsubFake({
    appToken: CREDS.app_token,
    secretKey: CREDS.secret_key,
    webhookSecret: CREDS.webhook_secret,
  });
  const config = (over: Partial<typeof CREDS> = {}, settings: Record<string, unknown> = {}): ConnectorConfig => ({
    credentials: { ...CREDS, ...over },
    settings: { base_url: fake.baseUrl, ...settings },
  });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares the catalog manifest of docs/providers/sumsub.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'sumsub', category: 'kyc' });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['app_token', true, true],
      ['secret_key', true, true],
      ['webhook_secret', true, true],
    ]);
    expect(connector.manifest.settings).toEqual([
      expect.objectContaining({ name: 'level_name', default: 'basic-kyc-level' }),
    ]);
  });

  it('test() passes with the right credentials and sends a correctly signed GET', async () => {
    await expect(connector.test(config({}, { level_name: 'basic-kyc-level' }))).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [r] = fake.requests;
    expect(r.method).toBe('GET');
    expect(r.path).toMatch(/^\/resources\/applicants\/-;externalUserId=connector-test-[0-9a-f-]{36}\/one$/);
    expect(r.headers['x-app-token']).toBe(CREDS.app_token);
    expect(r.headers['content-type']).toBe('application/json');
    const ts = Number(r.headers['x-app-access-ts']);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    const expected = createHmac('sha256', CREDS.secret_key).update(`${ts}GET${r.path}`).digest('hex');
    expect(r.headers['x-app-access-sig']).toBe(expected);
    expect(r.rawBody.length).toBe(0);
    expect(r.rejected).toBeUndefined();
  });

  it("a wrong secret key is refused as auth with SumSub's reason, never echoing the secret", async () => {
    const err = await failure(connector.test(config({ secret_key: 'wrong-secret-key' })));
    expect(err.code).toBe('auth');
    expect(err.message).toContain('Invalid signature');
    expect(err.message).not.toContain('wrong-secret-key');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('an unknown app token is refused as auth', async () => {
    const err = await failure(connector.test(config({ app_token: 'sbx:nope' })));
    expect(err).toMatchObject({ code: 'auth', message: 'Sumsub: App token not found' });
  });

  it('is refused when the provider refuses the credentials, and treats "not found" as accepted', async () => {
    const err = await failure(connector.test(config({ secret_key: 'wrong-secret-key' })));
    expect(err.code).toBe('auth');
    fake.failNext({ status: 404, body: { description: 'Applicant not found', code: 404 } });
    await expect(connector.test(config())).resolves.toBeUndefined();
  });

  it('maps 429 and missing credentials', async () => {
    fake.rateLimitNext(1, 3);
    expect(await failure(connector.test(config()))).toMatchObject({
      code: 'rate_limited',
      options: { retryAfterMs: 3000 },
    });
    const { secret_key: _omit, ...partial } = CREDS;
    expect(await failure(connector.test({ credentials: partial, settings: { base_url: fake.baseUrl } }))).toMatchObject(
      { code: 'invalid_config' },
    );
  });

  it('settings.base_url replaces only scheme, host and port', async () => {
    await connector.test(config({}, { base_url: `${fake.baseUrl}/ignored/prefix` }));
    expect(fake.requests[0].path).toMatch(/^\/resources\/applicants\/-;externalUserId=/);
  });
});

describe('SumsubFake refuses what SumSub refuses', () => {
  const fake = new SumsubFake({ appToken: 'tok', secretKey: 'sec', webhookSecret: 'wh' });
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${fake.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('checks the signature over method, path, query and body', async () => {
    const path = '/resources/applicants?levelName=basic-kyc-level';
    const body = '{"externalUserId":"crm-user-42"}';
    const good = sumsubAuthHeaders('tok', 'sec', 'POST', path, body);
    const ok = await post(path, body, good);
    expect(ok.status).toBe(200);
    const applicant = (await ok.json()) as { id: string; review: { reviewStatus: string } };
    expect(applicant.review.reviewStatus).toBe('init');

    const tampered = await post(path, body.replace('42', '43'), good);
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ description: 'Invalid signature', code: 401 });

    const stale = sumsubAuthHeaders('tok', 'sec', 'POST', path, body, Date.now() - 120_000);
    expect((await post(path, body, stale)).status).toBe(401);

    const dup = await post(path, body, sumsubAuthHeaders('tok', 'sec', 'POST', path, body));
    expect(dup.status).toBe(409);

    // Applicant lookups by id and external id, access token, sandbox review, signed webhook.
    const byExt = '/resources/applicants/-;externalUserId=crm-user-42/one';
    const got = await fetch(`${fake.baseUrl}${byExt}`, { headers: sumsubAuthHeaders('tok', 'sec', 'GET', byExt) });
    expect(((await got.json()) as { id: string }).id).toBe(applicant.id);
    const tokBody = '{"userId":"crm-user-42","levelName":"basic-kyc-level","ttlInSecs":600}';
    const tokRes = await post(
      '/resources/accessTokens/sdk',
      tokBody,
      sumsubAuthHeaders('tok', 'sec', 'POST', '/resources/accessTokens/sdk', tokBody),
    );
    expect(await tokRes.json()).toMatchObject({ userId: 'crm-user-42', token: expect.any(String) });
    fake.completeReview(applicant.id, 'RED', 'RETRY', ['BAD_PROOF_OF_IDENTITY']);
    const hook = fake.webhookFor(applicant.id);
    expect(() => verifySumsubWebhook('wh', hook.body, hook.headers)).not.toThrow();
    expect(JSON.parse(hook.body.toString())).toMatchObject({
      type: 'applicantReviewed',
      reviewResult: { reviewAnswer: 'RED', reviewRejectType: 'RETRY' },
    });
  });
});
