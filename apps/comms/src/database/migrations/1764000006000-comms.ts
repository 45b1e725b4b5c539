import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Comms1764000006000 implements MigrationInterface {
  name = 'Comms1764000006000';

  async up(q: QueryRunner): Promise<void> {
    // every email, SMS and call; `provider` is the one that served (after a failover, the second)
    await q.query(`CREATE TABLE messages (
      id uuid PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('email', 'sms', 'call')),
      provider text NOT NULL,
      provider_message_id text,
      correlation_key text,
      status text NOT NULL,
      to_address text NOT NULL,
      customer_id text,
      event_type text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX messages_provider_message ON messages (provider, provider_message_id) WHERE provider_message_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX messages_customer ON messages (customer_id, created_at DESC)`);
    await q.query(`CREATE INDEX messages_created ON messages (created_at DESC)`);
    // calls placed without a provider id yet (Zadarma), matched by their first notification
    await q.query(`CREATE INDEX messages_awaiting_id ON messages (provider, correlation_key, created_at DESC)
      WHERE provider_message_id IS NULL AND correlation_key IS NOT NULL`);
    await q.query(`CREATE TABLE message_attempts (
      id bigserial PRIMARY KEY,
      message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
      provider text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('sent', 'failed', 'refused')),
      error text,
      provider_message_id text,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX message_attempts_message ON message_attempts (message_id, id)`);
    // every status event, applied or not; message_id is null when no message matched (kept for audit)
    await q.query(`CREATE TABLE message_events (
      id bigserial PRIMARY KEY,
      message_id uuid REFERENCES messages (id) ON DELETE CASCADE,
      provider text NOT NULL,
      provider_event_id text,
      status text,
      provider_status text NOT NULL,
      applied boolean NOT NULL,
      details jsonb,
      at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX message_events_provider_event ON message_events (provider, provider_event_id) WHERE provider_event_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX message_events_message ON message_events (message_id, at, id)`);
    // per channel and address, whatever provider reported it: survives provider swaps
    await q.query(`CREATE TABLE suppressions (
      channel text NOT NULL,
      address text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('bounce', 'spam', 'unsubscribe')),
      provider text,
      message_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel, address)
    )`);
    // Idempotency-Key: the first answer to a (caller, endpoint, key), and a hash of the body it answered
    await q.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'done')),
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['idempotency_keys', 'suppressions', 'message_events', 'message_attempts', 'messages'])
      await q.query(`DROP TABLE ${t}`);
  }
}
