import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client, type QueryResultRow } from 'pg';

import { ConnectorRegistry } from '@app/connectors';
import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import type { ProviderChangedEvent, ProviderView } from '@app/contracts';
import { eventually } from '@app/testing';

import { PROVIDER_SEED } from '../../catalog/src/seed/providers.seed';
import { startPlatform, type Platform } from '../src/platform';

const SG_KEY = 'SG.live-key-abcdefghijklmnop-1234';
const GMAIL = {
  clientId: 'client-1.apps.googleusercontent.com',
  clientSecret: 'gmail-client-secret-XYZ987',
  refreshToken: '1//refresh-token-QRS654',
  senderEmail: 'ops@broker.example',
};
const SECRETS = [SG_KEY, GMAIL.clientSecret, GMAIL.refreshToken, 'SG.rotated-key-zzzzzzzzzzzzzz-9876'];

/** The seeded providers and their categories, as the seed and the connectors declare them. */
const registry = ConnectorRegistry.fromDirectories();
const SEEDED = Object.fromEntries(PROVIDER_SEED.map((e) => [e.key, registry.get(e.key)!.manifest.category]));
const keysOf = (category: string) =>
  Object.keys(SEEDED)
    .filter((k) => SEEDED[k] === category)
    .sort();

type Problem = { status: number; detail: string; errors?: { field: string; message: string }[] };

describe('connector catalog through the gateway (real NATS and Postgres, provider fakes)', () => {
  let p: Platform;
  let sendgrid: SendgridFake;
  let gmail: GmailFake;
  let nc: NatsConnection;
  const events: ProviderChangedEvent[] = [];

  const json = async <T>(res: Response) => (await res.json()) as T;
  const activate = (key: string, body: unknown) =>
    p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
  const sendgridBody = () => ({ credentials: { api_key: SG_KEY }, settings: { base_url: sendgrid.baseUrl } });
  const gmailBody = () => ({
    credentials: {
      client_id: GMAIL.clientId,
      client_secret: GMAIL.clientSecret,
      refresh_token: GMAIL.refreshToken,
      sender_email: GMAIL.senderEmail,
    },
    settings: { base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` },
  });

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    gmail = await new GmailFake(GMAIL).start();
    p = await startPlatform({ services: ['catalog'], env: { LOG_LEVEL: 'debug' } });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.evt.catalog.provider.changed`, {
      callback: (_e, m) => {
        events.push(m.json<ProviderChangedEvent>());
      },
    });
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
    await sendgrid?.stop();
    await gmail?.stop();
  });

  it('lists every seeded provider in the category of its connector, each with its credential fields', async () => {
    const res = await p.api('/api/platform/integrations/providers');
    expect(res.status).toBe(200);
    const { providers } = await json<{ providers: ProviderView[] }>(res);
    expect(Object.fromEntries(providers.map((x) => [x.key, x.category]))).toEqual(SEEDED);
    const sg = providers.find((x) => x.key === 'sendgrid')!;
    expect(sg).toMatchObject({ status: 'inactive', is_default: false, credentials: {}, activated_at: null });
    expect(sg.credential_fields).toContainEqual({
      name: 'api_key',
      label: expect.any(String),
      secret: true,
      required: true,
    });
    // the activation form's settings: base_url first for every provider, then the manifest's own, defaults shown
    expect(sg.setting_fields).toEqual([{ name: 'base_url', label: 'Base URL', default: null }]);
    const gm = providers.find((x) => x.key === 'gmail')!;
    expect(gm.setting_fields).toEqual([
      { name: 'base_url', label: 'Base URL', default: null },
      { name: 'token_url', label: 'OAuth token endpoint', default: 'https://oauth2.googleapis.com/token' },
    ]);
    for (const x of providers) {
      const manifest = registry.get(x.key)!.manifest;
      expect([x.key, x.setting_fields]).toEqual([
        x.key,
        [
          { name: 'base_url', label: 'Base URL', default: null },
          ...manifest.settings.map((s) => ({ name: s.name, label: s.label, default: s.default ?? null })),
        ],
      ]);
    }
    const email = await json<{ providers: ProviderView[] }>(
      await p.api('/api/platform/integrations/providers?category=email'),
    );
    expect(email.providers.map((x) => x.key).sort()).toEqual(keysOf('email'));
    const blank = await json<{ providers: ProviderView[] }>(
      await p.api('/api/platform/integrations/providers?category='),
    );
    expect(blank.providers).toHaveLength(PROVIDER_SEED.length);
  });

  it('answers 404 for an unknown provider or category', async () => {
    expect((await p.api('/api/platform/integrations/providers/mailchimp')).status).toBe(404);
    for (const key of ['SendGrid', 'no-such', 'k'.repeat(150)]) {
      expect((await p.api(`/api/platform/integrations/providers/${key}`)).status).toBe(404);
      expect((await p.api(`/api/platform/integrations/providers/${key}/deactivate`, { method: 'POST' })).status).toBe(
        404,
      );
    }
    expect((await activate('mailchimp', { credentials: { api_key: 'x' } })).status).toBe(404);
    expect((await p.api('/api/platform/integrations/providers?category=fax')).status).toBe(404);
    const res = await p.api('/api/platform/integrations/categories/fax/default', {
      method: 'PUT',
      json: { provider: 'sendgrid' },
    });
    expect(res.status).toBe(404);
    expect((await json<Problem>(res)).detail).toMatch(/fax/);
  });

  it('refuses bad credentials input with one error per field and stores nothing', async () => {
    const missing = await activate('gmail', { credentials: { client_id: GMAIL.clientId } });
    expect(missing.status).toBe(400);
    expect((await json<Problem>(missing)).errors?.map((e) => e.field).sort()).toEqual([
      'credentials.client_secret',
      'credentials.refresh_token',
      'credentials.sender_email',
    ]);
    const extra = await activate('sendgrid', { credentials: { api_key: SG_KEY, password: 'x', region: 5 } });
    expect(extra.status).toBe(400);
    expect((await json<Problem>(extra)).errors?.map((e) => e.field).sort()).toEqual([
      'credentials.password',
      'credentials.region',
    ]);
    const wrongType = await activate('sendgrid', {
      credentials: { api_key: 12345 },
      settings: { base_url: 'ftp://x' },
    });
    expect((await json<Problem>(wrongType)).errors?.map((e) => e.field).sort()).toEqual([
      'credentials.api_key',
      'settings.base_url',
    ]);
    const huge = await activate('sendgrid', { credentials: { api_key: 'k'.repeat(9000) } });
    expect(huge.status).toBe(400);
    expect((await json<Problem>(huge)).errors).toEqual([
      { field: 'credentials.api_key', message: expect.stringMatching(/8192 bytes/) },
    ]);
    const mixed = await activate('sendgrid', {
      credentials: { api_key: 5, bogus: 'x' },
      settings: { base_url: 'ftp://x', nope: 1 },
      make_default: 'yes',
      extra: 1,
    });
    expect((await json<Problem>(mixed)).errors?.map((e) => e.field).sort()).toEqual([
      'credentials.api_key',
      'credentials.bogus',
      'extra',
      'make_default',
      'settings.base_url',
      'settings.nope',
    ]);
    const arrayBody = await activate('sendgrid', [1, 2]);
    expect((await json<Problem>(arrayBody)).errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    const notObject = await activate('sendgrid', { credentials: 'api_key=abc' });
    expect((await json<Problem>(notObject)).errors?.map((e) => e.field)).toEqual(['credentials']);
    const nonJson = await p.api('/api/platform/integrations/providers/sendgrid/activate', {
      method: 'POST',
      body: 'api_key=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(nonJson.status).toBe(415);
    const db = await dbRows('SELECT count(*)::int AS n FROM catalog.credentials');
    expect(db[0].n).toBe(0);
    const gm = await json<ProviderView>(await p.api('/api/platform/integrations/providers/gmail'));
    expect(gm.status).toBe('inactive');
  });

  it('activates with credentials, masks secrets, and makes the first active provider the default', async () => {
    const res = await activate('sendgrid', sendgridBody());
    expect(res.status).toBe(200);
    const sg = await json<ProviderView>(res);
    expect(sg).toMatchObject({
      key: 'sendgrid',
      status: 'active',
      is_default: true,
      credentials: { api_key: `****${SG_KEY.slice(-4)}` },
    });
    expect(sg.settings.base_url).toBe(sendgrid.baseUrl);
    expect(sg.activated_at).not.toBeNull();
    const again = await activate('sendgrid', { verify: true }); // verifies with the stored credentials and base_url
    expect(again.status).toBe(200);
    expect(sendgrid.requests.at(-1)).toMatchObject({ path: '/v3/scopes' });
    expect(await json<ProviderView>(again)).toMatchObject({
      status: 'active',
      credentials: { api_key: `****${SG_KEY.slice(-4)}` },
    });
  });

  it("tests stored credentials against the provider: ok, then 422 with the provider's reason after a bad rotation", async () => {
    const ok = await p.api('/api/platform/integrations/providers/sendgrid/test', { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expect(sendgrid.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v3/scopes' });
    expect(sendgrid.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SG_KEY}`);

    const rotated = await p.api('/api/platform/integrations/providers/sendgrid/credentials', {
      method: 'PUT',
      json: { credentials: { api_key: SECRETS[3] } },
    });
    expect(rotated.status).toBe(200);
    expect((await json<ProviderView>(rotated)).credentials.api_key).toBe('****9876');
    const refused = await p.api('/api/platform/integrations/providers/sendgrid/test', { method: 'POST' });
    expect(refused.status).toBe(422);
    const problem = await json<Problem>(refused);
    expect(problem.detail).toMatch(/sendgrid refused/);
    expect(problem.detail).not.toContain(SECRETS[3]);
  });

  it('stores nothing when verify: true and the provider refuses', async () => {
    const res = await p.api('/api/platform/integrations/providers/sendgrid/credentials', {
      method: 'PUT',
      json: { credentials: { api_key: 'SG.not-the-right-one-000000' }, verify: true },
    });
    expect(res.status).toBe(422);
    const sg = await json<ProviderView>(await p.api('/api/platform/integrations/providers/sendgrid'));
    expect(sg.credentials.api_key).toBe('****9876');
    const fixed = await p.api('/api/platform/integrations/providers/sendgrid/credentials', {
      method: 'PUT',
      json: { credentials: { api_key: SG_KEY }, verify: true },
    });
    expect(fixed.status).toBe(200);
  });

  it('refuses to make an inactive provider or one of another category the default', async () => {
    const inactive = await p.api('/api/platform/integrations/categories/email/default', {
      method: 'PUT',
      json: { provider: 'gmail' },
    });
    expect(inactive.status).toBe(409);
    const other = await p.api('/api/platform/integrations/categories/sms/default', {
      method: 'PUT',
      json: { provider: 'sendgrid' },
    });
    expect(other.status).toBe(400);
  });

  it('swaps the default under load with no failed request, every request after the event on the new provider', async () => {
    expect((await activate('gmail', gmailBody())).status).toBe(200);
    const { ProviderConfigCache } = await import('@app/connectors');
    const { BusClient } = await import('@app/messaging');
    let changedAt = 0;
    const cache = new ProviderConfigCache(
      new BusClient({ nc, prefix: p.infra.prefix, timeoutMs: 2000 }),
      nc,
      p.infra.prefix,
      {
        onChange: (e) => {
          if (e.action === 'default_changed' && e.default_provider === 'gmail') changedAt = Date.now();
        },
      },
    );
    cache.onModuleInit();
    const results: { at: number; provider: string | null; error?: string }[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const at = Date.now();
        try {
          results.push({ at, provider: (await cache.resolve('email')).key });
        } catch (err) {
          results.push({ at, provider: null, error: (err as Error).message });
        }
        await new Promise((r) => setImmediate(r)); // a cache hit resolves at once: let timers and I/O run
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const swap = await p.api('/api/platform/integrations/categories/email/default', {
      method: 'PUT',
      json: { provider: 'gmail' },
    });
    expect(swap.status).toBe(200);
    expect(await swap.json()).toMatchObject({
      category: 'email',
      default_provider: 'gmail',
      active_providers: ['gmail', 'sendgrid'],
    });
    await eventually('the default change event', () => changedAt, { everyMs: 20 });
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await loop;
    cache.onModuleDestroy();
    expect(changedAt).toBeGreaterThan(0);
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.some((r) => r.at < changedAt && r.provider === 'sendgrid')).toBe(true);
    const after = results.filter((r) => r.at > changedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.provider))).toEqual(new Set(['gmail']));
  });

  it('tests gmail through its OAuth refresh flow', async () => {
    const ok = await p.api('/api/platform/integrations/providers/gmail/test', { method: 'POST' });
    expect(ok.status).toBe(200);
    gmail.revokeRefreshToken();
    const refused = await p.api('/api/platform/integrations/providers/gmail/test', { method: 'POST' });
    expect(refused.status).toBe(422);
    expect((await json<Problem>(refused)).detail).toMatch(/invalid_grant|revoked|expired/i);
  });

  it('deactivates, moving the default to another active provider', async () => {
    const res = await p.api('/api/platform/integrations/providers/gmail/deactivate', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await json<ProviderView>(res)).toMatchObject({ status: 'inactive', is_default: false });
    const { categories } = await json<{
      categories: { category: string; default_provider: string | null; active_providers: string[] }[];
    }>(await p.api('/api/platform/integrations/categories'));
    expect(categories.find((c) => c.category === 'email')).toEqual({
      category: 'email',
      default_provider: 'sendgrid',
      active_providers: ['sendgrid'],
    });
    expect(categories.find((c) => c.category === 'kyc')).toEqual({
      category: 'kyc',
      default_provider: null,
      active_providers: [],
    });
  });

  it('published a change event for every change and kept an audit trail naming the key id, never a value', async () => {
    await eventually('the deactivation event', () =>
      events.some((e) => e.key === 'gmail' && e.action === 'deactivated'),
    );
    const sgActions = events.filter((e) => e.key === 'sendgrid').map((e) => e.action);
    expect(sgActions).toEqual(['activated', 'activated', 'credentials_updated', 'credentials_updated']);
    expect(events.filter((e) => e.key === 'gmail').map((e) => e.action)).toEqual([
      'activated',
      'default_changed',
      'deactivated',
    ]);
    const audit = await dbRows(`SELECT actor, target, action, fields FROM catalog.audit_trail ORDER BY id`);
    expect(audit).toHaveLength(7);
    expect(audit.every((a) => /^key_[0-9a-f]{12}$/.test(a.actor as string))).toBe(true);
    expect(audit[0]).toMatchObject({
      target: 'sendgrid',
      action: 'activated',
      fields: ['api_key', 'base_url'],
    });
  });

  it('never exposes the decrypted configuration through the gateway', async () => {
    for (const path of [
      '/api/platform/integrations/providers/sendgrid/config',
      '/api/platform/integrations/providers/sendgrid/credentials',
    ]) {
      const res = await p.api(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(SG_KEY);
    }
  });

  it('keeps no secret in clear in any table, log line or metric', async () => {
    const tables = await dbRows<{
      table_schema: string;
      table_name: string;
    }>(`SELECT table_schema, table_name FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`);
    expect(tables.some((t) => t.table_schema === 'catalog')).toBe(true);
    let dump = '';
    for (const t of tables) dump += JSON.stringify(await dbRows(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`));
    expect(dump).toContain('sendgrid');
    const metrics =
      (await (await p.api('/metrics', { auth: false })).text()) +
      (await (await fetch(`${p.services.get('catalog')![0].url}/metrics`)).text());
    expect(metrics).toContain('nats_handler_duration_seconds');
    for (const secret of SECRETS) {
      expect(dump).not.toContain(secret);
      expect(p.logs.text()).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
    expect(p.logs.lines.length).toBeGreaterThan(10);
    const cred = await dbRows(`SELECT sealed, key_id FROM catalog.credentials WHERE provider_key = 'sendgrid'`);
    expect(cred[0]).toMatchObject({ key_id: 'test1', sealed: expect.stringMatching(/^v1\.test1\./) });
  });

  async function dbRows<T extends QueryResultRow = Record<string, unknown>>(sql: string): Promise<T[]> {
    const c = new Client({ connectionString: p.infra.databaseUrl });
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  }
});
