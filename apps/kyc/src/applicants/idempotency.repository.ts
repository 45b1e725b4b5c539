import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

import { IdempotencyKeyEntity } from '../records/kyc.entities';

/** Idempotency-Key claims: one row per (scope, key), `in_progress` until the first answer is stored. */
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** True when this call claimed the key; false when it was claimed before. */
  async claim(scope: string, key: string, requestHash: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state) VALUES ($1, $2, $3, 'in_progress')
       ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
      [scope, key, requestHash],
    );
    return rows.length === 1;
  }

  find(scope: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return this.ds.getRepository(IdempotencyKeyEntity).findOneBy({ scope, key });
  }

  /** Takes over a claim whose holder died (still in progress after `staleMs`). */
  async takeOverStale(scope: string, key: string, requestHash: string, staleMs: number): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, affected]
    const [, affected]: [unknown[], number] = await this.ds.query(
      `UPDATE idempotency_keys SET created_at = now() WHERE scope = $1 AND key = $2 AND request_hash = $3
         AND state = 'in_progress' AND created_at < now() - ($4::bigint * interval '1 millisecond') RETURNING 1`,
      [scope, key, requestHash, staleMs],
    );
    return affected === 1;
  }

  async complete(scope: string, key: string, response: unknown): Promise<void> {
    await this.ds.query(`UPDATE idempotency_keys SET state = 'done', response = $3 WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      JSON.stringify(response),
    ]);
  }

  /** A failed first attempt frees the key, so the caller can retry with it. */
  async release(scope: string, key: string): Promise<void> {
    await this.ds.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_progress'`, [
      scope,
      key,
    ]);
  }

  async purgeOlderThan(ms: number): Promise<void> {
    await this.ds.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - ($1::bigint * interval '1 millisecond')`,
      [ms],
    );
  }
}
