import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog's audit rows join the audit trail every service keeps (AuditTrailTable1767000000000): the
 * field names its details listed become `fields`, and its own table goes.
 */
export class AuditTrail1767000001000 implements MigrationInterface {
  name = 'AuditTrail1767000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO audit_trail (at, actor, scope, action, target, fields)
      SELECT at, actor, scope, action, coalesce(provider_key, category, ''),
        CASE action
          WHEN 'default_changed' THEN ARRAY['default_provider']
          ELSE ARRAY(
            SELECT f FROM jsonb_array_elements_text(coalesce(details->'credential_fields', '[]'::jsonb)) f
            UNION SELECT f FROM jsonb_array_elements_text(coalesce(details->'settings', '[]'::jsonb)) f
            ORDER BY 1
          )
        END
      FROM audit_log ORDER BY id`);
    await q.query(`DROP TABLE audit_log`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      scope text NOT NULL DEFAULT 'admin',
      provider_key text,
      category text,
      action text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb
    )`);
  }
}
