import type { MigrationInterface, QueryRunner } from 'typeorm';

import { createIdempotencyTable } from '@app/persistence';

/**
 * Idempotency-Keys move to the table shared by every service: `in_progress` becomes `pending`, and an
 * answer is stored as `{ok: true, sealed}` (or `{ok: true, data}` for one stored before answers were sealed).
 */
export class KycIdempotency1765000005000 implements MigrationInterface {
  name = 'KycIdempotency1765000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys RENAME TO idempotency_keys_old`);
    await q.query(
      `ALTER TABLE idempotency_keys_old RENAME CONSTRAINT idempotency_keys_pkey TO idempotency_keys_old_pkey`,
    );
    await createIdempotencyTable(q);
    await q.query(`INSERT INTO idempotency_keys (scope, key, request_hash, state, response, created_at, updated_at)
      SELECT scope, key, request_hash, CASE state WHEN 'done' THEN 'done' ELSE 'pending' END,
        CASE WHEN state <> 'done' THEN NULL
          WHEN jsonb_typeof(response) = 'object' AND response ? 'sealed'
            THEN jsonb_build_object('ok', true, 'sealed', response -> 'sealed')
          ELSE jsonb_build_object('ok', true, 'data', response) END,
        created_at, created_at
      FROM idempotency_keys_old`);
    await q.query(`DROP TABLE idempotency_keys_old`);
  }

  /** Back to the old table; final errors (which it could not hold) are forgotten. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys RENAME TO idempotency_keys_new`);
    await q.query(
      `ALTER TABLE idempotency_keys_new RENAME CONSTRAINT idempotency_keys_pkey TO idempotency_keys_new_pkey`,
    );
    await q.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('in_progress', 'done')),
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`);
    await q.query(`INSERT INTO idempotency_keys (scope, key, request_hash, state, response, created_at)
      SELECT scope, key, request_hash, CASE state WHEN 'done' THEN 'done' ELSE 'in_progress' END,
        CASE WHEN response ? 'sealed' THEN jsonb_build_object('sealed', response -> 'sealed') ELSE response -> 'data' END,
        created_at
      FROM idempotency_keys_new WHERE response IS NULL OR response ->> 'ok' = 'true'`);
    await q.query(`DROP TABLE idempotency_keys_new`);
  }
}
