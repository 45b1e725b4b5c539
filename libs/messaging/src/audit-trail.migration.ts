import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail of configuration changes, in every service's own schema; times are kept to the
 * millisecond so a `since` taken from an answer finds its entry again.
 */
export class AuditTrailTable1767000000000 implements MigrationInterface {
  name = 'AuditTrailTable1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_trail (
      id bigserial PRIMARY KEY,
      at timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
      actor text NOT NULL,
      scope text NOT NULL,
      action text NOT NULL,
      target text NOT NULL,
      fields text[] NOT NULL
    )`);
    await q.query(`CREATE INDEX audit_trail_at ON audit_trail (at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_trail`);
  }
}
