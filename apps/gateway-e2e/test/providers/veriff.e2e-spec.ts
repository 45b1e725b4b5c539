import { randomUUID } from 'node:crypto';

import { VeriffFake } from '@app/connectors/providers/veriff/veriff.fake';
import type { KycRecordView } from '@app/contracts';
import { eventually, queryRows } from '@app/testing';

import { startPlatform, type Platform } from '../../src/platform';

const CREDS = { api_key: 'veriff-e2e-api-key-0001', shared_secret: 'veriff-e2e-shared-secret-0001' };
type Applicant = {
  customer_id: string;
  provider: string;
  provider_id: string;
  access_token: string;
  verification_url: string | null;
};
type Hook = { body: Buffer; headers: Record<string, string> };

describe('veriff through the gateway (real NATS and Postgres, VeriffFake)', () => {
  let p: Platform;
  let veriff: VeriffFake;
  const post = (hook: Hook) =>
    fetch(`${p.gateway.url}/webhooks/kyc/veriff`, { method: 'POST', body: hook.body, headers: hook.headers });
  const record = async (customerId: string) =>
    (await (await p.api(`/api/platform/kyc/customers/${customerId}`)).json()) as KycRecordView;
  const settled = (customerId: string, status: string) =>
    eventually(`${customerId} ${status}`, async () => {
      const r = await record(customerId);
      return r.status === status && r.history.every((h) => h.outcome !== null) ? r : null;
    });
  const open = async (customerId = randomUUID()): Promise<Applicant> => {
    let res: Response | undefined;
    // the default change reaches kyc through the catalog's change event
    for (let i = 0; i < 20; i++) {
      res = await p.api('/api/platform/kyc/applicants', {
        method: 'POST',
        json: { customer_id: customerId, email: 'lead@example.com' },
      });
      if (res.status === 200 && ((await res.clone().json()) as Applicant).provider === 'veriff') break;
      await new Promise((r) => setTimeout(r, 250));
      customerId = randomUUID();
    }
    expect(res!.status).toBe(200);
    const a = (await res!.json()) as Applicant;
    expect(a.provider).toBe('veriff');
    return a;
  };
  const events = async () =>
    (await queryRows<{ n: number }>(p.infra.databaseUrl, `SELECT count(*)::int AS n FROM kyc.kyc_events`))[0].n;

  beforeAll(async () => {
    veriff = await new VeriffFake({ apiKey: CREDS.api_key, sharedSecret: CREDS.shared_secret }).start();
    p = await startPlatform({ services: ['catalog', 'kyc'], env: { KYC_RESTRICTED_COUNTRIES: 'KP,IR,SY' } });
    const res = await p.api('/api/platform/integrations/providers/veriff/activate', {
      method: 'POST',
      json: { credentials: CREDS, settings: { base_url: veriff.baseUrl } },
    });
    expect(res.status).toBe(200);
    const def = await p.api('/api/platform/integrations/categories/kyc/default', {
      method: 'PUT',
      json: { provider: 'veriff' },
    });
    expect(def.status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await veriff?.stop();
  });

  it('tests the credentials against Veriff: 200 with the right ones, 422 and nothing stored with wrong ones', async () => {
    expect((await p.api('/api/platform/integrations/providers/veriff/test', { method: 'POST' })).status).toBe(200);
    const wrong = await p.api('/api/platform/integrations/providers/veriff/credentials', {
      method: 'PUT',
      json: { credentials: { ...CREDS, shared_secret: 'not-the-shared-secret' }, verify: true },
    });
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(await wrong.json())).not.toContain('not-the-shared-secret');
    expect((await p.api('/api/platform/integrations/providers/veriff/test', { method: 'POST' })).status).toBe(200);
  });

  it("opens a session (verification_url is Veriff's), and a signed decision webhook approves the customer and passes the gates", async () => {
    const a = await open();
    const session = veriff.sessions.get(a.provider_id)!;
    expect(session.vendorData).toBe(a.customer_id);
    expect(a).toEqual({
      customer_id: a.customer_id,
      provider: 'veriff',
      provider_id: session.id,
      access_token: session.sessionToken,
      verification_url: session.url,
    });
    expect(await record(a.customer_id)).toMatchObject({
      provider: 'veriff',
      provider_id: session.id,
      verification_url: session.url,
      status: 'pending',
    });

    // the flow's events are recorded but move nothing
    expect((await post(veriff.eventWebhook(a.provider_id, 'submitted'))).status).toBe(200);
    veriff.decide(a.provider_id, 'approved', {
      document: { type: 'PASSPORT', country: 'GB', validUntil: '2035-06-30' },
      dateOfBirth: '1990-05-05',
    });
    const hook = veriff.decisionWebhook(a.provider_id);
    expect((await post(hook)).status).toBe(200);
    const r = await settled(a.customer_id, 'approved');
    expect(r).toMatchObject({ doc_type: 'passport', doc_country: 'GB' });
    expect(r.gates).toEqual({
      identity: 'pass',
      document: 'pass',
      country: 'pass',
      age: 'pass',
      screening: 'pass',
      all_passed: true,
    });
    // Veriff's retry of the same decision is a duplicate: history unchanged
    const before = (await record(a.customer_id)).history.length;
    expect((await post(hook)).status).toBe(200);
    await new Promise((res) => setTimeout(res, 500));
    expect((await record(a.customer_id)).history).toHaveLength(before);
  });

  it('a declined decision rejects the customer and fails the identity gate; review puts one on hold', async () => {
    const a = await open();
    veriff.decide(a.provider_id, 'declined', { reasonCode: 102, reason: 'Suspected document tampering' });
    expect((await post(veriff.decisionWebhook(a.provider_id))).status).toBe(200);
    const r = await settled(a.customer_id, 'rejected');
    expect(r.gates).toMatchObject({ identity: 'fail', all_passed: false });

    const b = await open();
    veriff.decide(b.provider_id, 'review');
    expect((await post(veriff.decisionWebhook(b.provider_id))).status).toBe(200);
    expect((await settled(b.customer_id, 'on_hold')).gates.all_passed).toBe(false);
  });

  it('refuses a forged, tampered, re-cased or unsigned webhook with 401, storing nothing', async () => {
    const a = await open();
    veriff.decide(a.provider_id, 'approved', { document: { type: 'PASSPORT', country: 'GB' } });
    const good = veriff.decisionWebhook(a.provider_id);
    const { 'x-hmac-signature': sig, ...unsigned } = good.headers;
    const before = await events();
    const attempts: Hook[] = [
      { body: good.body, headers: { ...good.headers, 'x-hmac-signature': 'ab'.repeat(32) } },
      { body: good.body, headers: { ...good.headers, 'x-hmac-signature': sig.toUpperCase() } },
      { body: Buffer.from(good.body.toString().replace('"approved"', '"declined"')), headers: good.headers },
      { body: good.body, headers: unsigned },
    ];
    for (const hook of attempts) {
      const res = await post(hook);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('problem+json');
      expect(JSON.stringify(await res.json())).not.toContain(CREDS.shared_secret);
    }
    await new Promise((res) => setTimeout(res, 300));
    expect(await events()).toBe(before);
    expect((await record(a.customer_id)).status).toBe('pending');
    expect(p.logs.lines.some((l) => l.includes(CREDS.shared_secret))).toBe(false);
  });
});
