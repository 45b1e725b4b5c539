import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The scope of the key behind each audited change; rows from before scopes were all full-access keys. */
export class AuditScope1764000001100 implements MigrationInterface {
  name = 'AuditScope1764000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN scope text NOT NULL DEFAULT 'admin'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN scope`);
  }
}
