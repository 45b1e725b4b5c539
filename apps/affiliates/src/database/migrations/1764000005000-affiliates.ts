import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Affiliates1764000005000 implements MigrationInterface {
  name = 'Affiliates1764000005000';

  async up(q: QueryRunner): Promise<void> {
    // secrets sealed by libs/vault (record id = affiliate id); the previous one signs too until previous_secret_until
    await q.query(`CREATE TABLE affiliates (
      id text PRIMARY KEY,
      name text NOT NULL,
      webhook_url text NOT NULL,
      secret_sealed text NOT NULL,
      secret_hint text NOT NULL,
      previous_secret_sealed text,
      previous_secret_until timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      max_batch_size integer NOT NULL DEFAULT 100 CHECK (max_batch_size BETWEEN 1 AND 1000),
      disabled_reason text,
      disabled_at timestamptz,
      failing_since timestamptz,
      last_flush_slot bigint,
      lane_owner text,
      lane_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE ftd_thresholds (
      country text PRIMARY KEY,
      min_amount numeric(30, 8) NOT NULL,
      currency text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    // ftd_at set once, in the transaction that queues lead.ftd: every later event of the lead is suppressed
    await q.query(`CREATE TABLE leads (
      customer_id text PRIMARY KEY,
      affiliate_id text NOT NULL REFERENCES affiliates (id),
      affiliate_lead_id text NOT NULL,
      country text NOT NULL,
      ftd_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX leads_affiliate ON leads (affiliate_id)`);
    await q.query(`CREATE TABLE lead_events (
      id bigserial PRIMARY KEY,
      affiliate_id text NOT NULL,
      customer_id text NOT NULL,
      event text NOT NULL,
      item jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'batched', 'suppressed')),
      unconvertible boolean NOT NULL DEFAULT false,
      delivery_id uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX lead_events_pending ON lead_events (affiliate_id, id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX lead_events_affiliate_status ON lead_events (affiliate_id, status)`);
    // deposits of customers with no attribution, and other service-wide counts
    await q.query(`CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL DEFAULT 0)`);
    await q.query(`CREATE TABLE deliveries (
      id uuid PRIMARY KEY,
      seq bigserial NOT NULL,
      affiliate_id text NOT NULL REFERENCES affiliates (id),
      event text NOT NULL,
      lead_count integer NOT NULL,
      body text NOT NULL,
      state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      manual_pending boolean NOT NULL DEFAULT false,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE INDEX deliveries_due ON deliveries (affiliate_id, next_attempt_at, seq) WHERE state = 'pending'`,
    );
    await q.query(`CREATE TABLE delivery_attempts (
      id bigserial PRIMARY KEY,
      delivery_id uuid NOT NULL REFERENCES deliveries (id),
      affiliate_id text NOT NULL,
      attempt integer NOT NULL,
      event text NOT NULL,
      lead_count integer NOT NULL,
      success boolean NOT NULL,
      manual boolean NOT NULL DEFAULT false,
      status_code integer,
      latency_ms integer NOT NULL,
      error text,
      response_snippet text,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX delivery_attempts_affiliate ON delivery_attempts (affiliate_id, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'delivery_attempts',
      'deliveries',
      'counters',
      'lead_events',
      'leads',
      'ftd_thresholds',
      'affiliates',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
