import type { DataSource, QueryRunner } from 'typeorm';

export interface IdempotencyRecord {
  requestHash: string;
  state: 'pending' | 'done';
  response: unknown;
}

/** Where Idempotency-Keys live: one row per (scope, key). */
export interface IdempotencyStore {
  /** Takes the key for `hash`: true when it is new or older than `ttlMs` (expired, purged or not). */
  claim(scope: string, key: string, hash: string, ttlMs: number): Promise<boolean>;
  find(scope: string, key: string): Promise<IdempotencyRecord | null>;
  complete(scope: string, key: string, response: unknown): Promise<void>;
  /** Frees a pending key (its first attempt failed and may be retried). */
  release(scope: string, key: string): Promise<void>;
  /** Closes a key pending for more than `staleMs` with `response`; true when this call closed it. */
  closeInterrupted(scope: string, key: string, staleMs: number, response: unknown): Promise<boolean>;
  /** Forgets keys older than `ttlMs`; returns how many. */
  purgeOlderThan(ttlMs: number): Promise<number>;
}

/** The table every service creates in its own schema (run from that service's migration). */
export async function createIdempotencyTable(q: QueryRunner): Promise<void> {
  // the first answer to a (scope, key), and a hash of the body it answered
  await q.query(`CREATE TABLE idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'done')),
    response jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
  )`);
  await q.query(`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`);
}

const AGE = `now() - ($1::bigint * interval '1 millisecond')`;
// TypeORM answers an UPDATE or a DELETE with [rows, affected], any other statement with its rows

/** The store on the service's own schema (its search_path). */
export class PgIdempotencyStore implements IdempotencyStore {
  constructor(private readonly ds: DataSource) {}

  async claim(scope: string, key: string, hash: string, ttlMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state) VALUES ($2, $3, $4, 'pending')
       ON CONFLICT (scope, key) DO UPDATE SET
         request_hash = EXCLUDED.request_hash, state = 'pending', response = NULL, created_at = now(), updated_at = now()
         WHERE idempotency_keys.created_at < ${AGE}
       RETURNING key`,
      [ttlMs, scope, key, hash],
    );
    return rows.length === 1;
  }

  async find(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: IdempotencyRecord[] = await this.ds.query(
      `SELECT request_hash AS "requestHash", state, response FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    return rows[0] ?? null;
  }

  async complete(scope: string, key: string, response: unknown): Promise<void> {
    await this.ds.query(
      `UPDATE idempotency_keys SET state = 'done', response = $3, updated_at = now() WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(response)],
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.ds.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'pending'`, [
      scope,
      key,
    ]);
  }

  async closeInterrupted(scope: string, key: string, staleMs: number, response: unknown): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.ds.query(
      `UPDATE idempotency_keys SET state = 'done', response = $4, updated_at = now()
       WHERE scope = $2 AND key = $3 AND state = 'pending' AND updated_at < ${AGE}`,
      [staleMs, scope, key, JSON.stringify(response)],
    );
    return affected === 1;
  }

  async purgeOlderThan(ttlMs: number): Promise<number> {
    const [, affected]: [unknown[], number] = await this.ds.query(
      `DELETE FROM idempotency_keys WHERE created_at < ${AGE}`,
      [ttlMs],
    );
    return affected;
  }
}
