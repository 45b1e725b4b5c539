import type { MigrationInterface, QueryRunner } from 'typeorm';

import { createIdempotencyTable } from '@app/persistence';

/** Idempotency-Keys move to the table shared by every service (the same rows, plus an index for the purge). */
export class CommsIdempotency1765000006000 implements MigrationInterface {
  name = 'CommsIdempotency1765000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys RENAME TO idempotency_keys_old`);
    await q.query(
      `ALTER TABLE idempotency_keys_old RENAME CONSTRAINT idempotency_keys_pkey TO idempotency_keys_old_pkey`,
    );
    await createIdempotencyTable(q);
    await q.query(`INSERT INTO idempotency_keys (scope, key, request_hash, state, response, created_at, updated_at)
      SELECT scope, key, request_hash, state, response, created_at, updated_at FROM idempotency_keys_old`);
    await q.query(`DROP TABLE idempotency_keys_old`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idempotency_keys_created`);
  }
}
