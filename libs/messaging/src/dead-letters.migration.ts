import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter store of every durable consumer, in each service's own schema beside the
 * processed-message ledger. A row exists from a message's first failed delivery (so first_failed_at is
 * true, whichever replica failed it) and is listed once parked_at is set; times are kept to the
 * millisecond so a page cursor round-trips through JSON exactly.
 */
export class DeadLetterTable1765000000000 implements MigrationInterface {
  name = 'DeadLetterTable1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dead_letters (
      id uuid PRIMARY KEY,
      consumer text NOT NULL,
      subject text NOT NULL,
      message_id text NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      error text NOT NULL,
      attempts integer NOT NULL,
      first_failed_at timestamptz NOT NULL,
      last_failed_at timestamptz NOT NULL,
      parked_at timestamptz,
      UNIQUE (consumer, message_id)
    )`);
    await q.query(`CREATE INDEX dead_letters_parked ON dead_letters (parked_at, id) WHERE parked_at IS NOT NULL`);
    await q.query(
      `CREATE INDEX dead_letters_consumer_parked ON dead_letters (consumer, parked_at, id) WHERE parked_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
  }
}
