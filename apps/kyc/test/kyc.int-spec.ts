import { randomUUID } from 'node:crypto';

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';

import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import type { InboundWebhook } from '@app/contracts';
import { BusClient } from '@app/messaging';
import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, LogCapture, type TestInfra } from '@app/testing';

import { catalogService } from '../../catalog/src/definition';
import { kycService } from '../src/definition';
import { ReconciliationJob } from '../src/reconcile/reconciliation.job';

const CREDS = { app_token: 'sbx:int-token', secret_key: 'int-secret-key', webhook_secret: 'int-webhook-secret' };

/** The kyc service as a real microservice (catalog beside it), driven over NATS: enrichment retries and reconciliation. */
describe('kyc service: enrichment and reconciliation', () => {
  let infra: TestInfra;
  let services: RunningService[];
  let kyc: RunningService;
  let nc: NatsConnection;
  let bus: BusClient;
  let db: Client;
  const fake = new SumsubFake({
    appToken: CREDS.app_token,
    secretKey: CREDS.secret_key,
    webhookSecret: CREDS.webhook_secret,
  });

  const record = (customerId: string) =>
    bus.request('kyc.customers.get', { customer_id: customerId }).catch(() => null);
  const applicant = async () =>
    bus.request('kyc.applicants.create', { customer_id: randomUUID() }, { timeoutMs: 30000 });
  const deliver = (hook: { body: Buffer; headers: Record<string, string> }) =>
    bus.request('kyc.webhooks.receive', {
      provider: 'sumsub',
      method: 'POST',
      url: 'https://platform.example/webhooks/kyc/sumsub',
      headers: hook.headers,
      body_base64: hook.body.toString('base64'),
    } satisfies InboundWebhook);
  const gatesEvents = async (customerId: string) =>
    (
      await db.query<{ payload: unknown }>(
        `SELECT payload FROM kyc.outbox WHERE subject = 'evt.compliance.gates.reevaluated' AND payload->>'customer_id' = $1`,
        [customerId],
      )
    ).rows;
  const settled = (customerId: string, status: string) =>
    eventually(`${status}`, async () => {
      const r = await record(customerId);
      return r && r.status === status && r.history.every((h) => h.outcome) ? r : null;
    });

  beforeAll(async () => {
    await fake.start();
    infra = await createTestInfra();
    // the reconciliation timer never fires by itself here: the tests run passes themselves
    const env = {
      ...infra.env,
      KYC_ENRICH_RETRY_MS: '100',
      KYC_ENRICH_MAX_ATTEMPTS: '3',
      KYC_RECONCILE_INTERVAL_MS: '3600000',
      KYC_RECONCILE_PENDING_AGE_MS: '0',
    };
    const logs = new LogCapture();
    services = [
      await startService(catalogService, { env, logDestination: logs }),
      await startService(kycService, { env, logDestination: logs }),
    ];
    kyc = services[1];
    nc = await connect({ servers: infra.natsUrl });
    bus = new BusClient({ nc, prefix: infra.prefix, timeoutMs: 10000 });
    await bus.request('catalog.providers.activate', {
      key: 'sumsub',
      credentials: CREDS,
      settings: { base_url: fake.baseUrl },
    });
    db = new Client({ connectionString: infra.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await nc?.close();
    for (const s of [...(services ?? [])].reverse()) await s.stop();
    await infra?.cleanup();
    await fake.stop();
  });
  afterEach(() => fake.reset());

  it('retries a failed applicant fetch, then applies the decision with the fetched document', async () => {
    const a = await applicant();
    // SumSub's flow runs in its WebSDK: no hosted page, in the answer or on the record
    expect(a.verification_url).toBeNull();
    expect(await record(a.customer_id)).toMatchObject({ provider_id: a.provider_id, verification_url: null });
    fake.setApplicantInfo(a.provider_id, { dob: '1980-01-01', idDocs: [{ idDocType: 'ID_CARD', country: 'AUT' }] });
    fake.completeReview(a.provider_id, 'GREEN');
    fake.failNext({ status: 503, body: { description: 'maintenance' } });
    expect(await deliver(fake.webhookFor(a.provider_id))).toMatchObject({ status: 200 });
    const r = await settled(a.customer_id, 'approved');
    expect(r).toMatchObject({ doc_type: 'id_card', doc_country: 'AT' });
    expect(r.gates.all_passed).toBe(true);
    const fetches = fake.requests.filter((q) => q.path === `/resources/applicants/${a.provider_id}/one`);
    expect(fetches.length).toBe(2);
    expect(await gatesEvents(a.customer_id)).toHaveLength(1);
  });

  it('applies the decision without the document once the fetch has failed KYC_ENRICH_MAX_ATTEMPTS times', async () => {
    const a = await applicant();
    fake.completeReview(a.provider_id, 'GREEN');
    fake.failNext({ status: 502, body: { description: 'bad gateway' } }, 10);
    expect(await deliver(fake.webhookFor(a.provider_id))).toMatchObject({ status: 200 });
    const r = await settled(a.customer_id, 'approved');
    expect(r).toMatchObject({ doc_type: null, doc_country: null });
    expect(r.gates).toMatchObject({ identity: 'pass', document: 'pending', country: 'pending', all_passed: false });
    expect(fake.requests.filter((q) => q.path === `/resources/applicants/${a.provider_id}/one`)).toHaveLength(3);
  });

  it('answers NOT_FOUND for a webhook of a provider that is not a KYC provider', async () => {
    const hook = fake.signedWebhook({ applicantId: 'x', type: 'applicantPending', reviewStatus: 'pending' });
    await expect(
      bus.request('kyc.webhooks.receive', {
        provider: 'sendgrid',
        method: 'POST',
        url: 'https://p/webhooks/kyc/sendgrid',
        headers: hook.headers,
        body_base64: hook.body.toString('base64'),
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reconciliation applies a decision the webhooks missed, and leaves still-pending applicants alone', async () => {
    const missed = await applicant();
    const waiting = await applicant();
    fake.setApplicantInfo(missed.provider_id, {
      dob: '1975-05-05',
      idDocs: [{ idDocType: 'PASSPORT', country: 'IRN' }],
    });
    fake.completeReview(missed.provider_id, 'GREEN');
    const job = kyc.app.get(ReconciliationJob);
    expect(await job.runOnce()).toBe(1);
    const r = await record(missed.customer_id);
    expect(r).toMatchObject({ status: 'approved', doc_type: 'passport', doc_country: 'IR' });
    // IR is in the default KYC_RESTRICTED_COUNTRIES
    expect(r!.gates).toMatchObject({ identity: 'pass', document: 'pass', country: 'fail', all_passed: false });
    expect(r!.history).toEqual([
      expect.objectContaining({ type: 'applicant_created', status: 'pending', outcome: 'applied' }),
      expect.objectContaining({ source: 'reconciliation', status: 'approved', outcome: 'applied' }),
    ]);
    expect(await gatesEvents(missed.customer_id)).toHaveLength(1);
    const still = await record(waiting.customer_id);
    expect(still).toMatchObject({
      status: 'pending',
      history: [{ status: 'pending', type: 'applicant_created', source: 'internal', provider_status: null }],
    });
    expect(fake.requests.some((q) => q.path === `/resources/applicants/${waiting.provider_id}/status`)).toBe(true);
    // polled again later: nothing new, nothing recorded twice
    expect(await job.runOnce()).toBe(0);
    expect((await record(missed.customer_id))!.history).toHaveLength(2);
  });
});
