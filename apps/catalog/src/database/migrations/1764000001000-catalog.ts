import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Catalog1764000001000 implements MigrationInterface {
  name = 'Catalog1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE providers (
      key text PRIMARY KEY,
      category text NOT NULL,
      status text NOT NULL DEFAULT 'inactive' CHECK (status IN ('active', 'inactive')),
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      version integer NOT NULL DEFAULT 1,
      activated_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // one row per credential field, each value sealed by libs/vault (record id = provider key, field = name)
    await q.query(`CREATE TABLE credentials (
      provider_key text NOT NULL REFERENCES providers (key) ON DELETE CASCADE,
      field text NOT NULL,
      sealed text NOT NULL,
      key_id text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider_key, field)
    )`);
    await q.query(`CREATE INDEX credentials_key_id ON credentials (key_id)`);
    await q.query(`CREATE TABLE category_defaults (
      category text PRIMARY KEY,
      provider_key text REFERENCES providers (key),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // who (platform key id), when, what: field names only, never a secret value
    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor text NOT NULL,
      provider_key text,
      category text,
      action text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb
    )`);
    await q.query(`CREATE INDEX audit_log_provider ON audit_log (provider_key, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE category_defaults`);
    await q.query(`DROP TABLE credentials`);
    await q.query(`DROP TABLE providers`);
  }
}
