import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox and the processed-message ledger, created in every service's own schema (the connection's
 * search_path). Each service lists this migration first.
 */
export class MessagingTables1764000000000 implements MigrationInterface {
  name = 'MessagingTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE outbox (
      id uuid PRIMARY KEY,
      subject text NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      published_at timestamptz
    )`);
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (created_at, id) WHERE published_at IS NULL`);
    await q.query(`CREATE TABLE processed_messages (
      consumer text NOT NULL,
      message_id text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processed_messages`);
    await q.query(`DROP TABLE outbox`);
  }
}
