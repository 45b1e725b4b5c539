import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1764000004000 implements MigrationInterface {
  name = 'Payments1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE routes (
      country char(2) PRIMARY KEY,
      deposit_gateway text NOT NULL,
      withdrawal_gateway text NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      note text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // the default pair: at most one row
    await q.query(`CREATE TABLE default_route (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      deposit_gateway text NOT NULL,
      withdrawal_gateway text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // one row per cashier session we opened; id is the order id the provider echoes back
    await q.query(`CREATE TABLE cashier_sessions (
      id uuid PRIMARY KEY,
      gateway text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('deposit', 'withdrawal')),
      country char(2) NOT NULL,
      customer_id text,
      amount numeric,
      currency char(3) NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'failed', 'refunded')),
      source text NOT NULL,
      failover_from text,
      session_secret text,
      provider_transaction_id text,
      flag text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX cashier_sessions_customer ON cashier_sessions (customer_id, created_at)`);
    await q.query(`CREATE TABLE session_status_history (
      id bigserial PRIMARY KEY,
      session_id uuid NOT NULL REFERENCES cashier_sessions (id),
      status text NOT NULL,
      provider_status text,
      flag text,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX session_status_history_session ON session_status_history (session_id, id)`);
    await q.query(`CREATE TABLE payment_transactions (
      gateway text NOT NULL,
      provider_transaction_id text NOT NULL,
      session_id uuid NOT NULL REFERENCES cashier_sessions (id),
      status text,
      provider_status text NOT NULL,
      amount numeric,
      currency char(3),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (gateway, provider_transaction_id)
    )`);
    // every verified notification once (the provider's own event key); applied = it moved the status
    await q.query(`CREATE TABLE payment_notifications (
      gateway text NOT NULL,
      event_key text NOT NULL,
      session_id uuid NOT NULL REFERENCES cashier_sessions (id),
      provider_status text NOT NULL,
      status text,
      applied boolean NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (gateway, event_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'payment_notifications',
      'payment_transactions',
      'session_status_history',
      'cashier_sessions',
      'default_route',
      'routes',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
