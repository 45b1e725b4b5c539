import type { DataSource } from 'typeorm';

import { DomainError } from '@app/contracts';
import {
  createServiceDataSource,
  Idempotency,
  initializeServiceDataSource,
  PgIdempotencyStore,
  requestHash,
  type AnswerSealer,
  type PersistedClass,
} from '@app/persistence';
import { createTestInfra, TEST_VAULT_KEYS, type TestInfra } from '@app/testing';
import { KeyRing, Vault } from '@app/vault';

import { Comms1764000006000 } from '../../comms/src/database/migrations/1764000006000-comms';
import { CommsIdempotency1765000006000 } from '../../comms/src/database/migrations/1765000006000-comms-idempotency';
import { Kyc1764000005000 } from '../src/database/migrations/1764000005000-kyc';
import { KycIdempotency1765000005000 } from '../src/database/migrations/1765000005000-kyc-idempotency';

const DAY_MS = 86_400_000;
const SCOPE = 'applicants.create:key-1';
const BODY = { customer_id: '6f1c2c1e-0000-4000-8000-000000000001' };

/** The shared Idempotency-Key table on real Postgres: both services' migrations, and the store's SQL. */
describe('Idempotency-Keys on Postgres', () => {
  let infra: TestInfra;
  const open: DataSource[] = [];
  const vault = new Vault(KeyRing.fromEnv(TEST_VAULT_KEYS));
  const sealer: AnswerSealer = {
    seal: (plain, recordId) => vault.encrypt(plain, { recordId, field: 'response' }),
    open: (sealed, recordId) => vault.decrypt(sealed, { recordId, field: 'response' }),
  };
  const migrated = async (schema: string, migrations: PersistedClass[]) => {
    const ds = await initializeServiceDataSource(
      createServiceDataSource({ url: infra.databaseUrl, schema, entities: [], migrations }),
    );
    open.push(ds);
    return ds;
  };
  const rejection = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as DomainError,
    );
  const never = () => Promise.reject(new Error('the work must not run'));

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  afterAll(async () => {
    for (const ds of open) if (ds.isInitialized) await ds.destroy();
    await infra?.cleanup();
  });

  it("moves kyc's rows: sealed and older plain answers replay, an old in_progress key is closed as interrupted", async () => {
    const old = await migrated('kyc_rows', [Kyc1764000005000]);
    const hash = requestHash(BODY);
    const sealed = sealer.seal(JSON.stringify({ applicant_id: 'a1' }), `${SCOPE}\u0001sealed`);
    await old.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, response, created_at) VALUES
         ($1, 'sealed', $2, 'done', $3, now()), ($1, 'plain', $2, 'done', $4, now()),
         ($1, 'cut-off', $2, 'in_progress', NULL, now() - interval '10 minutes')`,
      [SCOPE, hash, JSON.stringify({ sealed }), JSON.stringify({ applicant_id: 'a2' })],
    );
    await old.destroy();
    const ds = await migrated('kyc_rows', [Kyc1764000005000, KycIdempotency1765000005000]);
    const idem = new Idempotency(new PgIdempotencyStore(ds), { ttlMs: DAY_MS, sealer });
    expect(await idem.run(SCOPE, 'sealed', BODY, never)).toEqual({ applicant_id: 'a1' });
    expect(await idem.run(SCOPE, 'plain', BODY, never)).toEqual({ applicant_id: 'a2' });
    expect((await rejection(idem.run(SCOPE, 'cut-off', BODY, never)))?.message).toMatch(/interrupted/);

    // and back: the old table holds the answers again (the interrupted key's error it cannot hold)
    await ds.undoLastMigration({ transaction: 'each' });
    const back: { key: string; state: string; response: unknown }[] = await ds.query(
      `SELECT key, state, response FROM idempotency_keys ORDER BY key`,
    );
    expect(back).toEqual([
      { key: 'plain', state: 'done', response: { applicant_id: 'a2' } },
      { key: 'sealed', state: 'done', response: { sealed } },
    ]);
  });

  it("moves comms' rows unchanged", async () => {
    const old = await migrated('comms_rows', [Comms1764000006000]);
    const answer = { ok: true, data: { message_id: 'm1' } };
    await old.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, response) VALUES ('k:sms.send', 'otp-1', $1, 'done', $2)`,
      [requestHash({ to: '+1' }), JSON.stringify(answer)],
    );
    await old.destroy();
    const ds = await migrated('comms_rows', [Comms1764000006000, CommsIdempotency1765000006000]);
    const idem = new Idempotency(new PgIdempotencyStore(ds), { ttlMs: DAY_MS });
    expect(await idem.run('k:sms.send', 'otp-1', { to: '+1' }, never)).toEqual(answer.data);
  });

  it('runs on an empty schema; the store takes expired keys, closes stale pending ones and purges by age', async () => {
    const ds = await migrated('kyc_empty', [Kyc1764000005000, KycIdempotency1765000005000]);
    const store = new PgIdempotencyStore(ds);
    const age = (key: string, column: string) =>
      ds.query(`UPDATE idempotency_keys SET ${column} = now() - interval '1 hour' WHERE key = $1`, [key]);
    expect(await store.claim('s', 'k1', 'h1', DAY_MS)).toBe(true);
    expect(await store.claim('s', 'k1', 'h2', DAY_MS)).toBe(false);
    expect(await store.find('s', 'k1')).toEqual({ requestHash: 'h1', state: 'pending', response: null });
    expect(await store.closeInterrupted('s', 'k1', 120_000, { ok: false })).toBe(false);
    await age('k1', 'updated_at');
    expect(await store.closeInterrupted('s', 'k1', 120_000, { ok: false })).toBe(true);
    expect(await store.find('s', 'k1')).toEqual({ requestHash: 'h1', state: 'done', response: { ok: false } });
    await age('k1', 'created_at');
    expect(await store.claim('s', 'k1', 'h2', 60_000)).toBe(true);
    expect(await store.find('s', 'k1')).toMatchObject({ requestHash: 'h2', state: 'pending' });
    expect(await store.claim('s', 'k2', 'h1', DAY_MS)).toBe(true);
    await age('k2', 'created_at');
    expect(await store.purgeOlderThan(60_000)).toBe(1);
    expect(await store.find('s', 'k2')).toBeNull();
    await store.release('s', 'k1');
    expect(await store.find('s', 'k1')).toBeNull();
  });
});
