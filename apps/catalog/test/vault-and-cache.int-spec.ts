import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { ProviderConfigCache } from '@app/connectors';
import { BusClient } from '@app/messaging';
import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, type TestInfra } from '@app/testing';
import { KeyRing, Vault } from '@app/vault';

import { catalogService } from '../src/definition';
import { ProvidersRepository } from '../src/providers/providers.repository';
import { rewrapAll } from '../src/vault/rewrap';

const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const API_KEY = 'SG.rotation-test-key-000000000001';

describe('catalog vault and provider config cache (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let svc: RunningService | null = null;
  const start = async (keys: string) => {
    svc = await startService(catalogService, { env: { ...infra.env, VAULT_MASTER_KEYS: keys } });
    return new BusClient({ nc: svc.nc, prefix: infra.prefix, timeoutMs: 5000 });
  };
  const stop = async () => {
    await svc?.stop();
    svc = null;
  };
  const keyIds = async () => {
    const c = new Client({ connectionString: infra.databaseUrl });
    await c.connect();
    try {
      return (await c.query<{ key_id: string }>(`SELECT key_id FROM catalog.credentials ORDER BY field`)).rows.map(
        (r) => r.key_id,
      );
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  afterEach(stop);
  afterAll(async () => {
    await infra.cleanup();
  });

  it('refuses to start without VAULT_MASTER_KEYS, or with a malformed one, naming the variable', async () => {
    await expect(startService(catalogService, { env: { ...infra.env, VAULT_MASTER_KEYS: '' } })).rejects.toThrow(
      /VAULT_MASTER_KEYS/,
    );
    await expect(
      startService(catalogService, { env: { ...infra.env, VAULT_MASTER_KEYS: 'k1:c2hvcnQ=' } }),
    ).rejects.toThrow(/VAULT_MASTER_KEYS.*must be exactly 32/s);
  });

  it('keeps old records readable after rotation, and re-wrap leaves none on the old key', async () => {
    let bus = await start(k1);
    await bus.request('catalog.providers.activate', {
      key: 'sendgrid',
      credentials: { api_key: API_KEY, webhook_verification_key: 'pem-ish' },
    });
    expect(await keyIds()).toEqual(['k1', 'k1']);
    await stop();

    bus = await start(`${k2},${k1}`);
    expect((await bus.request('catalog.providers.config.get', { key: 'sendgrid' })).credentials.api_key).toBe(API_KEY);
    const result = await rewrapAll(new ProvidersRepository(svc!.dataSource), new Vault(KeyRing.fromEnv(`${k2},${k1}`)));
    expect(result).toEqual({ rewrapped: 2, skipped: 0 });
    expect(await keyIds()).toEqual(['k2', 'k2']);
    await stop();

    bus = await start(k2); // the old key is gone: everything must be on the new one
    expect((await bus.request('catalog.providers.config.get', { key: 'sendgrid' })).credentials.api_key).toBe(API_KEY);
  });

  it('invalidates the cache of every consuming replica on a change, with no restart', async () => {
    const bus = await start(k2);
    const caches = [0, 1].map(() => new ProviderConfigCache(bus, svc!.nc, infra.prefix));
    caches.forEach((c) => c.onModuleInit());
    await bus.request('catalog.providers.activate', { key: 'sendgrid', credentials: { api_key: API_KEY } });
    await eventually('both caches to hold the key', async () =>
      (await Promise.all(caches.map((c) => c.get('sendgrid')))).every((v) => v.credentials.api_key === API_KEY),
    );

    const rotated = 'SG.rotated-after-caching-00000002';
    await bus.request('catalog.providers.credentials.update', { key: 'sendgrid', credentials: { api_key: rotated } });
    for (const cache of caches) {
      await eventually(
        'the rotated key in the cache',
        async () => (await cache.get('sendgrid')).credentials.api_key === rotated,
      );
    }
    caches.forEach((c) => c.onModuleDestroy());
  });
});
