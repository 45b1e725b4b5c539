import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The per-session BridgerPay secret is a webhook secret: keep only its SHA-256 at rest. */
export class SessionSecretDigest1764000004100 implements MigrationInterface {
  name = 'SessionSecretDigest1764000004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cashier_sessions RENAME COLUMN session_secret TO session_secret_sha256`);
    await q.query(`UPDATE cashier_sessions SET session_secret_sha256 = encode(sha256(convert_to(session_secret_sha256, 'UTF8')), 'hex')
      WHERE session_secret_sha256 IS NOT NULL`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('the secrets are gone: this migration cannot be reverted'));
  }
}
