import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

export interface IdempotencyRecord {
  request_hash: string;
  state: 'pending' | 'done';
  response: unknown;
}

/** Idempotency keys of the send endpoints. */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /**
   * Takes the key for this request: true when it is new, expired (older than `ttlMs`, whether or not the
   * purge has run yet), or was left pending longer than `staleMs` by a replica that died mid-request
   * (the key is then taken over for the same body only).
   */
  async claim(scope: string, key: string, hash: string, ttlMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (scope, key) DO UPDATE SET
         request_hash = EXCLUDED.request_hash, state = 'pending', response = NULL, updated_at = now(),
         created_at = CASE WHEN idempotency_keys.created_at < now() - ($4::bigint * interval '1 millisecond') THEN now() ELSE idempotency_keys.created_at END
         WHERE idempotency_keys.created_at < now() - ($4::bigint * interval '1 millisecond')
       RETURNING key`,
      [scope, key, hash, ttlMs],
    );
    return rows.length === 1;
  }

  /**
   * A key still pending after `staleMs` belonged to a request whose replica died mid-flight: whether the
   * provider was called is unknown, so it is closed with `response` (a final answer), never run again.
   * True when this call closed it.
   */
  async closeInterrupted(scope: string, key: string, staleMs: number, response: unknown): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `UPDATE idempotency_keys SET state = 'done', response = $4, updated_at = now()
       WHERE scope = $1 AND key = $2 AND state = 'pending' AND updated_at < now() - ($3::int * interval '1 millisecond')
       RETURNING key`,
      [scope, key, staleMs, JSON.stringify(response)],
    );
    return rows.length === 1;
  }

  /** Forgets keys older than `ttlMs`; returns how many. */
  async purgeOlderThan(ttlMs: number): Promise<number> {
    const [, affected]: [unknown[], number] = await this.ds.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - ($1::bigint * interval '1 millisecond')`,
      [ttlMs],
    );
    return affected;
  }

  async find(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const rows: IdempotencyRecord[] = await this.ds.query(
      `SELECT request_hash, state, response FROM idempotency_keys WHERE scope = $1 AND key = $2`,
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
}
