import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import type { IntakeIgnoredReason } from '@app/contracts';
import { DATA_SOURCE } from '@app/runtime';

export interface LeadRow {
  customer_id: string;
  affiliate_id: string;
  affiliate_lead_id: string;
  country: string;
  ftd_at: Date | null;
  created_at: Date;
}

export interface NewLeadEvent {
  affiliate_id: string;
  customer_id: string;
  event: string;
  /** The lead's entry in a batch body, as JSON text (kept verbatim: key order included). */
  item: string;
  status: 'pending' | 'suppressed';
  unconvertible: boolean;
}

/** Lead attributions and the per-lead event queue. */
@Injectable()
export class LeadsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** Inserts the attribution, or returns the existing one of that customer. */
  async attribute(lead: Omit<LeadRow, 'ftd_at' | 'created_at'>): Promise<LeadRow> {
    const rows: LeadRow[] = await this.ds.query(
      `WITH ins AS (
         INSERT INTO leads (customer_id, affiliate_id, affiliate_lead_id, country) VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id) DO NOTHING RETURNING *)
       SELECT * FROM ins UNION ALL SELECT * FROM leads WHERE customer_id = $1 LIMIT 1`,
      [lead.customer_id, lead.affiliate_id, lead.affiliate_lead_id, lead.country],
    );
    return rows[0];
  }

  /** Locks the leads of these customers for the transaction (sorted: concurrent batches cannot deadlock). */
  lockLeads(m: EntityManager, customerIds: string[]): Promise<LeadRow[]> {
    return m.query(`SELECT * FROM leads WHERE customer_id = ANY($1::text[]) ORDER BY customer_id FOR UPDATE`, [
      [...customerIds].sort(),
    ]);
  }

  async markFtd(m: EntityManager, customerIds: string[], at: Date[]): Promise<void> {
    if (!customerIds.length) return;
    await m.query(
      `UPDATE leads l SET ftd_at = v.at FROM unnest($1::text[], $2::timestamptz[]) AS v(customer_id, at)
       WHERE l.customer_id = v.customer_id AND l.ftd_at IS NULL`,
      [customerIds, at.map((d) => d.toISOString())],
    );
  }

  async insertEvents(m: EntityManager, events: NewLeadEvent[]): Promise<void> {
    if (!events.length) return;
    await m.query(
      `INSERT INTO lead_events (affiliate_id, customer_id, event, item, status, unconvertible)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::text[], $6::boolean[])`,
      [
        events.map((e) => e.affiliate_id),
        events.map((e) => e.customer_id),
        events.map((e) => e.event),
        events.map((e) => e.item),
        events.map((e) => e.status),
        events.map((e) => e.unconvertible),
      ],
    );
  }

  async unattributedCount(): Promise<number> {
    const rows: { value: string }[] = await this.ds.query(
      `SELECT value FROM counters WHERE name = 'unattributed_events'`,
    );
    return Number(rows[0]?.value ?? 0);
  }

  /** Counts of events ignored for other reasons (counter rows `ignored.<reason>`). */
  async ignoredCounts(): Promise<Partial<Record<IntakeIgnoredReason, number>>> {
    const rows: { name: string; value: string }[] = await this.ds.query(
      `SELECT name, value FROM counters WHERE name LIKE 'ignored.%' ORDER BY name`,
    );
    return Object.fromEntries(rows.map((r) => [r.name.slice('ignored.'.length), Number(r.value)]));
  }

  async countIgnored(m: EntityManager, reason: IntakeIgnoredReason, n: number): Promise<void> {
    await m.query(
      `INSERT INTO counters (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value`,
      [`ignored.${reason}`, n],
    );
  }

  async countUnattributed(m: EntityManager, n: number): Promise<void> {
    if (!n) return;
    await m.query(
      `INSERT INTO counters (name, value) VALUES ('unattributed_events', $1)
       ON CONFLICT (name) DO UPDATE SET value = counters.value + EXCLUDED.value`,
      [n],
    );
  }
}
