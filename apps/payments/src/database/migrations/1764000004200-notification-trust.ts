import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications are de-duplicated per order (BridgerPay's event keys repeat across orders), remember
 * what they said (an edited copy of a signed one is told from a repeat) and the provider's signed
 * time; sessions remember the signed time of the last notification applied; and what is verified but
 * not applied is parked for an operator.
 */
export class NotificationTrust1764000004200 implements MigrationInterface {
  name = 'NotificationTrust1764000004200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_notifications DROP CONSTRAINT payment_notifications_pkey`);
    await q.query(`ALTER TABLE payment_notifications ADD PRIMARY KEY (gateway, session_id, event_key)`);
    await q.query(`ALTER TABLE payment_notifications ADD COLUMN fingerprint text, ADD COLUMN provider_time bigint`);
    await q.query(`ALTER TABLE cashier_sessions ADD COLUMN last_applied_provider_time bigint`);
    await q.query(`CREATE TABLE parked_notifications (
      id bigserial PRIMARY KEY,
      gateway text NOT NULL,
      session_id uuid REFERENCES cashier_sessions (id),
      event_key text NOT NULL,
      reason text NOT NULL,
      provider_status text NOT NULL,
      payload jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX parked_notifications_received ON parked_notifications (received_at)`);
    await q.query(`CREATE INDEX parked_notifications_session ON parked_notifications (session_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE parked_notifications`);
    await q.query(`ALTER TABLE cashier_sessions DROP COLUMN last_applied_provider_time`);
    await q.query(`ALTER TABLE payment_notifications DROP COLUMN fingerprint, DROP COLUMN provider_time`);
    await q.query(`ALTER TABLE payment_notifications DROP CONSTRAINT payment_notifications_pkey`);
    await q.query(`ALTER TABLE payment_notifications ADD PRIMARY KEY (gateway, event_key)`);
  }
}
