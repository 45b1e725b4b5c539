import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Kyc1764000005000 implements MigrationInterface {
  name = 'Kyc1764000005000';

  async up(q: QueryRunner): Promise<void> {
    // one record per customer: the latest applied decision, the fetched document data and the gates
    await q.query(`CREATE TABLE kyc_records (
      customer_id uuid PRIMARY KEY,
      provider text NOT NULL,
      provider_id text,
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'resubmission_requested', 'on_hold')),
      provider_status text,
      doc_type text,
      doc_country text,
      doc_expiry date,
      birth_date date,
      reject_labels text[] NOT NULL DEFAULT '{}',
      gates jsonb NOT NULL,
      last_event_at timestamptz,
      reconciled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX kyc_records_provider_id ON kyc_records (provider, provider_id) WHERE provider_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX kyc_records_pending ON kyc_records (updated_at) WHERE status = 'pending'`);
    // every event received, verbatim; the unique key is the provider's event id or a body digest
    await q.query(`CREATE TABLE kyc_events (
      id uuid PRIMARY KEY,
      provider text NOT NULL,
      event_key text NOT NULL,
      source text NOT NULL CHECK (source IN ('webhook', 'internal', 'reconciliation')),
      event_type text NOT NULL,
      provider_id text,
      customer_ref text,
      status text,
      provider_status text,
      reject_labels text[] NOT NULL DEFAULT '{}',
      needs_details boolean NOT NULL DEFAULT false,
      occurred_at timestamptz,
      received_at timestamptz NOT NULL DEFAULT now(),
      payload jsonb NOT NULL,
      customer_id uuid,
      outcome text,
      processed_at timestamptz,
      UNIQUE (provider, event_key)
    )`);
    await q.query(`CREATE INDEX kyc_events_customer ON kyc_events (customer_id, received_at)`);
    await q.query(`CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      state text NOT NULL CHECK (state IN ('in_progress', 'done')),
      response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE kyc_events`);
    await q.query(`DROP TABLE kyc_records`);
  }
}
