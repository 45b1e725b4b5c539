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

const CREDS = {
  app_token: 'sbx:conflict-token',
  secret_key: 'conflict-secret-key',
  webhook_secret: 'conflict-webhook-secret',
};

/** A signed webhook whose applicant already belongs to another customer can never be applied. */
describe('kyc: SumSub webhook naming an applicant of another customer', () => {
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

  beforeAll(async () => {
    await fake.start();
    infra = await createTestInfra();
    const env = {
      ...infra.env,
      KYC_ENRICH_RETRY_MS: '50',
      KYC_ENRICH_MAX_ATTEMPTS: '2',
      CONSUMER_MAX_DELIVERIES: '2',
      KYC_RECONCILE_INTERVAL_MS: '3600000',
    };
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

  it('records the conflict in the history and acks, without retrying or touching either record', async () => {
    const owner = await bus.request('kyc.applicants.create', { customer_id: randomUUID() }, { timeoutMs: 30000 });
    fake.completeReview(owner.provider_id, 'GREEN');
    const other = randomUUID();
    const genuine = JSON.parse(fake.webhookFor(owner.provider_id).body.toString('utf8')) as Record<string, unknown>;
    const hook = fake.signedWebhook({ ...genuine, externalUserId: other });
    expect(
      await bus.request('kyc.webhooks.receive', {
        provider: 'sumsub',
        method: 'POST',
        url: 'https://platform.example/webhooks/kyc/sumsub',
        headers: hook.headers,
        body_base64: hook.body.toString('base64'),
      } satisfies InboundWebhook),
    ).toMatchObject({ status: 200 });

    const [event] = await eventually('the conflict recorded', async () => {
      const rows = (
        await db.query<{ outcome: string; processed_at: Date }>(
          `SELECT outcome, processed_at FROM kyc.kyc_events WHERE customer_ref = $1 AND processed_at IS NOT NULL`,
          [other],
        )
      ).rows;
      return rows.length ? rows : null;
    });
    expect(event.outcome).toBe('conflict');
    // acked once: never retried, nothing parked
    const consumed = (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM kyc.processed_messages WHERE consumer = 'kyc-webhook-processor'`,
      )
    ).rows[0].n;
    expect(consumed).toBe(1); // this webhook (the owner's applicant_created was applied in its request)
    const metrics = await (await fetch(`${services[1].url}/metrics`)).text();
    expect(metrics).toMatch(/consumer_messages_total\{[^}]*outcome="handled"[^}]*\} 1/);
    expect(metrics).not.toMatch(/consumer_messages_total\{[^}]*outcome="failed"/);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kyc.dead_letters`)).rows[0].n).toBe(0);
    expect(
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM kyc.kyc_records WHERE customer_id = $1`, [other]))
        .rows[0].n,
    ).toBe(0);
    expect(await bus.request('kyc.customers.get', { customer_id: owner.customer_id })).toMatchObject({
      status: 'pending',
    });
  });
});
