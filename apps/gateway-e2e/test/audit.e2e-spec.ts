import { createHash } from 'node:crypto';

import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import type { AuditEntry, AuditPage, DeadLetterView } from '@app/contracts';
import { eventually, queryRows, TEST_API_KEY } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const READ_KEY = 'audit-reader-key-0123456789';
const SG_KEY = 'SG.audit-secret-0123456789';
const AFF_SECRET = 'affiliate-audit-secret-0123456789';
const idOf = (key: string) => `key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

/** Configuration changes in every service, read back through GET /api/platform/audit. */
describe('the audit trail through the gateway (every service, real NATS and Postgres)', () => {
  let p: Platform;
  let nc: NatsConnection;

  const as = (key: string, path: string) => p.api(path, { auth: false, headers: { authorization: `Bearer ${key}` } });
  const audit = async (query = '', key = TEST_API_KEY): Promise<AuditPage> => {
    const res = await as(key, `/api/platform/audit${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as AuditPage;
  };
  const find = (entries: AuditEntry[], service: string, action: string) =>
    entries.find((e) => e.service === service && e.action === action);

  beforeAll(async () => {
    p = await startPlatform({
      env: {
        PLATFORM_API_KEYS: `${TEST_API_KEY},${READ_KEY}:read`,
        AFFILIATE_ALLOWED_HOSTS: '127.0.0.1:9',
        AFFILIATE_ALLOW_HTTP: 'true',
        CONSUMER_MAX_DELIVERIES: '2',
        CONSUMER_RETRY_BASE_MS: '50',
        KYC_ENRICH_RETRY_MS: '50',
        KYC_ENRICH_MAX_ATTEMPTS: '2',
      },
    });
    nc = await connect({ servers: p.infra.natsUrl });
    await jetstream(nc).publish(
      `${p.infra.prefix}.evt.kyc.webhook.recorded`,
      JSON.stringify({ event_id: 'not-a-uuid' }),
      { msgID: 'audit-poison' },
    );
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
  });

  it('finds a provider, a route, a threshold, an affiliate and a dead letter change with key id, scope and fields', async () => {
    const changes: [string, RequestInit & { json: unknown }][] = [
      [
        '/api/platform/integrations/providers/sendgrid/activate',
        { method: 'POST', json: { credentials: { api_key: SG_KEY } } },
      ],
      [
        '/api/platform/payments/routing/BR',
        { method: 'PUT', json: { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis', note: 'audit' } },
      ],
      ['/api/platform/affiliates/ftd-thresholds/BR', { method: 'PUT', json: { min_amount: 50, currency: 'USD' } }],
      [
        '/api/platform/affiliates/acme',
        { method: 'PUT', json: { name: 'Acme', webhook_url: 'http://127.0.0.1:9/hook', secret: AFF_SECRET } },
      ],
    ];
    for (const [path, init] of changes) expect((await p.api(path, init)).status).toBe(200);
    const parked = await eventually('the dead letter', async () => {
      const res = await p.api('/api/platform/ops/dead-letters');
      return ((await res.json()) as { dead_letters: DeadLetterView[] }).dead_letters[0];
    });
    expect((await p.api(`/api/platform/ops/dead-letters/${parked.id}`, { method: 'DELETE' })).status).toBe(204);

    const { entries, next_since } = await audit();
    expect(next_since).toBeNull();
    const admin = { actor: idOf(TEST_API_KEY), scope: 'admin' };
    expect(find(entries, 'catalog', 'activated')).toMatchObject({ ...admin, target: 'sendgrid', fields: ['api_key'] });
    expect(find(entries, 'payments', 'route_put')).toMatchObject({
      ...admin,
      target: 'BR',
      fields: ['deposit_gateway', 'note', 'withdrawal_gateway'],
    });
    expect(find(entries, 'affiliates', 'threshold_set')).toMatchObject({
      ...admin,
      target: 'BR',
      fields: ['currency', 'min_amount'],
    });
    expect(find(entries, 'affiliates', 'affiliate_created')).toMatchObject({
      ...admin,
      target: 'acme',
      fields: ['name', 'secret', 'webhook_url'],
    });
    expect(find(entries, 'kyc', 'dead_letter_discarded')).toMatchObject({ ...admin, target: parked.id, fields: [] });
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    const text = JSON.stringify(entries);
    for (const secret of [SG_KEY, AFF_SECRET, TEST_API_KEY, 'http://127.0.0.1:9/hook'])
      expect(text).not.toContain(secret);
  });

  it('pages with limit and since, and lets a read-only key read it', async () => {
    const all = (await audit('', READ_KEY)).entries;
    expect(all.length).toBeGreaterThanOrEqual(5);
    const first = await audit('?limit=2', READ_KEY);
    expect(first.entries).toEqual(all.slice(0, 2));
    expect(first.next_since).toBe(all[1].at);
    const rest = await audit(`?since=${encodeURIComponent(first.next_since!)}`, READ_KEY);
    expect(rest.entries).toEqual(all.filter((e) => e.at >= first.next_since!));
  });

  it('pages through more changes than `limit` that share one millisecond with next_cursor, each once', async () => {
    const at = '2099-01-01T00:00:00.000Z';
    for (const service of ['catalog', 'payments'])
      await queryRows(
        p.infra.databaseUrl,
        `INSERT INTO ${service}.audit_trail (at, actor, scope, action, target, fields)
           SELECT $1, 'key_same_ms', 'admin', 'same_ms', 'target-' || n, '{}' FROM generate_series(1, 3) AS n`,
        [at],
      );
    const seen: string[] = [];
    let page = await audit(`?limit=2&since=${encodeURIComponent(at)}`);
    for (let i = 0; i < 10; i++) {
      seen.push(...page.entries.map((e) => `${e.service}:${e.target}`));
      if (!page.next_cursor) break;
      page = await audit(`?limit=2&cursor=${encodeURIComponent(page.next_cursor)}`);
    }
    expect(seen).toEqual([
      'catalog:target-1',
      'catalog:target-2',
      'catalog:target-3',
      'payments:target-1',
      'payments:target-2',
      'payments:target-3',
    ]);
    expect(page.next_cursor).toBeNull();
  });

  it('answers a cursor that no page gave with a 400 problem naming the field', async () => {
    const res = await as(READ_KEY, '/api/platform/audit?cursor=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['cursor']);
  });

  it('answers a bad limit or since with a 400 problem', async () => {
    for (const query of ['?limit=0', '?limit=501', '?limit=ten', '?since=yesterday']) {
      const res = await as(READ_KEY, `/api/platform/audit${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});
