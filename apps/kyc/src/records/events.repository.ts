import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import type { EventMap, KycStatusValue } from '@app/contracts';
import { DATA_SOURCE } from '@app/runtime';

import { KycEventEntity, type EventSource } from './kyc.entities';

export interface NewEvent {
  id: string;
  provider: string;
  eventKey: string;
  source: EventSource;
  eventType: string;
  providerId: string | null;
  customerRef: string | null;
  customerId: string | null;
  status: KycStatusValue | null;
  providerStatus: string | null;
  rejectLabels: string[];
  needsDetails: boolean;
  occurredAt: Date | null;
  payload: unknown;
}

/** `conflict`: the event names an applicant that belongs to another customer; it can never be applied. */
export type EventOutcome = 'applied' | 'no_change' | 'stale' | 'unmatched' | 'conflict';

/** The history of every event received (webhooks, internal decisions, reconciliation), verbatim. */
@Injectable()
export class EventsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * Inserts unless the provider already sent this event; true when inserted (the de-duplication).
   * received_at is the insert's own time (not the transaction's start), so a writer that waited for a
   * lock is ordered after the one it waited for.
   */
  async record(m: EntityManager, e: NewEvent): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO kyc_events (id, provider, event_key, source, event_type, provider_id, customer_ref, customer_id, status,
         provider_status, reject_labels, needs_details, occurred_at, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, clock_timestamp())
       ON CONFLICT (provider, event_key) DO NOTHING RETURNING 1`,
      [
        e.id,
        e.provider,
        e.eventKey,
        e.source,
        e.eventType,
        e.providerId,
        e.customerRef,
        e.customerId,
        e.status,
        e.providerStatus,
        e.rejectLabels,
        e.needsDetails,
        e.occurredAt,
        JSON.stringify(e.payload),
      ],
    );
    return rows.length === 1;
  }

  /**
   * The webhook fast path: the history row and, only when it is new, its outbox row, in ONE statement
   * (atomic without BEGIN/COMMIT round trips, which OutboxWriter needs); the caller wakes its own
   * relay after it (other replicas' relays poll). True when the event was new.
   */
  async recordWithOutbox<S extends keyof EventMap>(
    e: NewEvent,
    outbox: { id: string; subject: S; payload: EventMap[S]; headers: Record<string, string> },
  ): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `WITH e AS (
         INSERT INTO kyc_events (id, provider, event_key, source, event_type, provider_id, customer_ref, customer_id, status,
           provider_status, reject_labels, needs_details, occurred_at, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (provider, event_key) DO NOTHING RETURNING id)
       INSERT INTO outbox (id, subject, payload, headers) SELECT $15, $16, $17, $18 FROM e RETURNING 1`,
      [
        e.id,
        e.provider,
        e.eventKey,
        e.source,
        e.eventType,
        e.providerId,
        e.customerRef,
        e.customerId,
        e.status,
        e.providerStatus,
        e.rejectLabels,
        e.needsDetails,
        e.occurredAt,
        JSON.stringify(e.payload),
        outbox.id,
        outbox.subject,
        JSON.stringify(outbox.payload),
        JSON.stringify(outbox.headers),
      ],
    );
    return rows.length === 1;
  }

  /** Serializes internal decisions for one customer until the transaction ends (the "latest" below stays true). */
  async lockInternalDecisions(m: EntityManager, customerId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('kyc.internal:' || $1))`, [customerId]);
  }

  /** The event key of the customer's latest recorded internal decision, if any. */
  async latestInternalDecisionKey(m: EntityManager, customerId: string): Promise<string | null> {
    const rows: { event_key: string }[] = await m.query(
      `SELECT event_key FROM kyc_events WHERE customer_id = $1 AND source = 'internal' AND event_type = 'decision'
       ORDER BY received_at DESC LIMIT 1`,
      [customerId],
    );
    return rows[0]?.event_key ?? null;
  }

  /** Whether the customer has an internal event under a key recorded before keys were scoped per customer. */
  async hasUnscopedInternalKey(
    m: EntityManager,
    provider: string,
    eventKey: string,
    customerId: string,
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM kyc_events WHERE provider = $1 AND event_key = $2 AND customer_id = $3 AND source = 'internal'`,
      [provider, eventKey, customerId],
    );
    return rows.length > 0;
  }

  /** Outside any transaction (the consumer's prepare step). */
  get(id: string): Promise<KycEventEntity | null> {
    return this.ds.getRepository(KycEventEntity).findOneBy({ id });
  }

  find(m: EntityManager, id: string): Promise<KycEventEntity | null> {
    return m.getRepository(KycEventEntity).findOneBy({ id });
  }

  async markProcessed(m: EntityManager, id: string, customerId: string | null, outcome: EventOutcome): Promise<void> {
    await m.query(
      `UPDATE kyc_events SET customer_id = COALESCE($2, customer_id), outcome = $3, processed_at = now() WHERE id = $1`,
      [id, customerId, outcome],
    );
  }

  historyOf(customerId: string): Promise<KycEventEntity[]> {
    return this.ds
      .getRepository(KycEventEntity)
      .find({ where: { customerId }, order: { receivedAt: 'ASC', id: 'ASC' } });
  }
}
