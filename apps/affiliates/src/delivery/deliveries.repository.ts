import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

export interface LaneRow {
  id: string;
  webhook_url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Date | null;
  failing_since: Date | null;
}

export interface DueDelivery {
  id: string;
  event: string;
  lead_count: number;
  body: string;
  attempts: number;
  manual_pending: boolean;
  delivered_at: Date | null;
}

export interface AttemptRecord {
  deliveryId: string;
  affiliateId: string;
  attempt: number;
  event: string;
  leadCount: number;
  success: boolean;
  manual: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  snippet: string | null;
}

/** Deliveries, their lanes (one sender per affiliate across replicas) and the attempt log. */
@Injectable()
export class DeliveriesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * Claims the lanes of up to `limit` active affiliates with a due delivery and no live owner. The
   * lease makes this replica the only sender of their deliveries while it renews it (see LaneLeases).
   */
  claimLanes(owner: string, limit: number, leaseMs: number, exclude: string[]): Promise<LaneRow[]> {
    return this.ds
      .query(
        `UPDATE affiliates a SET lane_owner = $1, lane_until = clock_timestamp() + ($2::bigint * interval '1 millisecond')
       WHERE a.id IN (
         SELECT c.id FROM affiliates c
         WHERE c.is_active AND (c.lane_until IS NULL OR c.lane_until < clock_timestamp()) AND c.id <> ALL($4::text[])
           AND EXISTS (SELECT 1 FROM deliveries d WHERE d.affiliate_id = c.id AND d.state = 'pending' AND d.next_attempt_at <= clock_timestamp())
         ORDER BY c.id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING a.id, a.webhook_url, a.secret_sealed, a.previous_secret_sealed, a.previous_secret_until, a.failing_since`,
        [owner, leaseMs, limit, exclude],
      )
      .then(updatedRows<LaneRow>);
  }

  /**
   * Extends the leases of the lanes `owner` still holds, in one statement for all of them. A lease
   * already expired is not renewed (another replica may have started on the lane); only a claim takes it.
   */
  async renewLanes(ids: string[], owner: string, leaseMs: number): Promise<Set<string>> {
    const rows = updatedRows<{ id: string }>(
      await this.ds.query(
        `UPDATE affiliates SET lane_until = clock_timestamp() + ($3::bigint * interval '1 millisecond')
       WHERE id = ANY($1::text[]) AND lane_owner = $2 AND lane_until > clock_timestamp() AND is_active RETURNING id`,
        [ids, owner, leaseMs],
      ),
    );
    return new Set(rows.map((r) => r.id));
  }

  async releaseLane(affiliateId: string, owner: string): Promise<void> {
    await this.ds.query(
      `UPDATE affiliates SET lane_until = NULL, lane_owner = NULL WHERE id = $1 AND lane_owner = $2`,
      [affiliateId, owner],
    );
  }

  /** Due deliveries of one affiliate, in the order they were batched. */
  dueDeliveries(affiliateId: string, limit: number): Promise<DueDelivery[]> {
    return this.ds.query(
      `SELECT id, event, lead_count, body, attempts, manual_pending, delivered_at FROM deliveries
       WHERE affiliate_id = $1 AND state = 'pending' AND next_attempt_at <= clock_timestamp()
       ORDER BY seq LIMIT $2`,
      [affiliateId, limit],
    );
  }

  /** A successful attempt: logged, the delivery done, the failure streak over; one statement. */
  async recordSuccess(a: AttemptRecord, clearStreak: boolean): Promise<void> {
    await this.ds.query(
      `WITH log AS (${INSERT_ATTEMPT}),
       streak AS (UPDATE affiliates SET failing_since = NULL WHERE id = $2 AND $12::boolean)
       UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = clock_timestamp(), manual_pending = false
       WHERE id = $1`,
      [...attemptParams(a), clearStreak],
    );
  }

  /**
   * A failed attempt: logged, the next attempt scheduled (or the delivery given up, back to delivered
   * for a manual redelivery of a delivered batch); returns when the affiliate's failure streak began.
   */
  async recordFailure(
    m: EntityManager,
    a: AttemptRecord,
    nextInMs: number | null,
    wasDelivered: boolean,
  ): Promise<Date> {
    await m.query(`WITH log AS (${INSERT_ATTEMPT}) SELECT 1`, attemptParams(a));
    const state = nextInMs !== null && !(a.manual && wasDelivered) ? 'pending' : wasDelivered ? 'delivered' : 'failed';
    await m.query(
      `UPDATE deliveries SET attempts = attempts + 1, manual_pending = false, state = $2,
         next_attempt_at = clock_timestamp() + ($3::bigint * interval '1 millisecond') WHERE id = $1`,
      [a.deliveryId, state, nextInMs ?? 0],
    );
    const rows = updatedRows<{ failing_since: Date }>(
      await m.query(
        `UPDATE affiliates SET failing_since = COALESCE(failing_since, clock_timestamp()) WHERE id = $1 RETURNING failing_since`,
        [a.affiliateId],
      ),
    );
    return rows[0].failing_since;
  }

  /** Disables an active affiliate; false when it was not active (already disabled by another replica). */
  async disable(m: EntityManager, affiliateId: string, reason: string): Promise<Date | null> {
    const rows = updatedRows<{ disabled_at: Date }>(
      await m.query(
        `UPDATE affiliates SET is_active = false, disabled_reason = $2, disabled_at = clock_timestamp(), updated_at = now()
       WHERE id = $1 AND is_active RETURNING disabled_at`,
        [affiliateId, reason],
      ),
    );
    return rows[0]?.disabled_at ?? null;
  }

  async requeue(affiliateId: string, deliveryId: string): Promise<boolean> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(deliveryId)) return false;
    const res: [unknown[], number] = await this.ds.query(
      `UPDATE deliveries SET state = 'pending', next_attempt_at = clock_timestamp(), manual_pending = true
       WHERE id = $1 AND affiliate_id = $2 RETURNING id`,
      [deliveryId, affiliateId],
    );
    return res[1] === 1;
  }
}

const INSERT_ATTEMPT = `INSERT INTO delivery_attempts
  (delivery_id, affiliate_id, attempt, event, lead_count, success, manual, status_code, latency_ms, error, response_snippet)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

function attemptParams(a: AttemptRecord): unknown[] {
  return [
    a.deliveryId,
    a.affiliateId,
    a.attempt,
    a.event,
    a.leadCount,
    a.success,
    a.manual,
    a.statusCode,
    a.latencyMs,
    a.error,
    a.snippet,
  ];
}

/** TypeORM answers UPDATE ... RETURNING with [rows, affected]. */
function updatedRows<T>(res: [T[], number]): T[] {
  return res[0];
}
