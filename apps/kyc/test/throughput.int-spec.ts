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

const CREDS = { app_token: 'sbx:tp-token', secret_key: 'tp-secret-key', webhook_secret: 'tp-webhook-secret' };
const CONCURRENCY = 4;

/** The webhook processor of the real kyc service: customers in parallel, each applicant fetch outside any transaction. */
describe('kyc webhook processing throughput (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let services: RunningService[];
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
  const deliver = (hook: { body: Buffer; headers: Record<string, string> }) =>
    bus.request('kyc.webhooks.receive', {
      provider: 'sumsub',
      method: 'POST',
      url: 'https://platform.example/webhooks/kyc/sumsub',
      headers: hook.headers,
      body_base64: hook.body.toString('base64'),
    } satisfies InboundWebhook);

  beforeAll(async () => {
    await fake.start();
    infra = await createTestInfra();
    const env = { ...infra.env, KYC_CONSUMER_CONCURRENCY: String(CONCURRENCY), KYC_RECONCILE_INTERVAL_MS: '3600000' };
    const logs = new LogCapture();
    services = [
      await startService(catalogService, { env, logDestination: logs }),
      await startService(kycService, { env, logDestination: logs }),
    ];
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

  it('fetches the applicants of several customers at once, holding no transaction open while the provider answers', async () => {
    const applicants: { customer_id: string; provider_id: string }[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const a = await bus.request('kyc.applicants.create', { customer_id: randomUUID() }, { timeoutMs: 30000 });
      fake.setApplicantInfo(a.provider_id, { dob: '1980-01-01', idDocs: [{ idDocType: 'PASSPORT', country: 'AUT' }] });
      fake.completeReview(a.provider_id, 'GREEN');
      applicants.push(a);
    }
    const fetchesOf = (ids: string[]) =>
      fake.requests.filter((q) => ids.some((id) => q.path === `/resources/applicants/${id}/one`));
    fake.slowDown(3000);
    for (const a of applicants) expect(await deliver(fake.webhookFor(a.provider_id))).toMatchObject({ status: 200 });

    await eventually('a first fetch', () => fetchesOf(applicants.map((a) => a.provider_id)).length > 0);
    // no connection of this database sits in a transaction while the provider is asked (the fetches take
    // 3 s: a transaction around one would be open since before it; the apply transactions are short)
    await new Promise((r) => setTimeout(r, 1200));
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'
         AND xact_start < now() - interval '1 second'`,
    );
    expect(rows[0].n).toBe(0);
    // every fetch has arrived while the first is still unanswered: they run side by side, not one after another
    await eventually(
      'a fetch per customer',
      () => fetchesOf(applicants.map((a) => a.provider_id)).length === CONCURRENCY,
    );
    const pending = await Promise.all(applicants.map((a) => record(a.customer_id)));
    expect(pending.map((r) => r?.status)).toEqual(applicants.map(() => 'pending'));

    fake.slowDown(0);
    for (const a of applicants) {
      const r = await eventually(`${a.customer_id} approved`, async () => {
        const v = await record(a.customer_id);
        return v?.status === 'approved' && v;
      });
      expect(r).toMatchObject({ doc_type: 'passport', doc_country: 'AT' });
    }
    expect(fetchesOf(applicants.map((a) => a.provider_id))).toHaveLength(CONCURRENCY);
  });
});
