import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two port capabilities: the used-token store of callbacks whose signature covers no body (a token is
 * claimed once per provider, with the digest of the body it came with, until it expires), and the
 * parts of a message the provider split (one provider id and status per part).
 */
export class CommsReplayParts1768000006000 implements MigrationInterface {
  name = 'CommsReplayParts1768000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE callback_tokens (
      provider text NOT NULL,
      token text NOT NULL,
      body_digest text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, token)
    )`);
    await q.query(`CREATE INDEX callback_tokens_expires ON callback_tokens (expires_at)`);
    await q.query(`CREATE TABLE message_parts (
      provider text NOT NULL,
      provider_message_id text NOT NULL,
      message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
      part integer NOT NULL,
      status text NOT NULL,
      provider_status text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, provider_message_id)
    )`);
    await q.query(`CREATE INDEX message_parts_message ON message_parts (message_id, part)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_parts`);
    await q.query(`DROP TABLE callback_tokens`);
  }
}
