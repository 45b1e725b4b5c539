import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  event: string;
  lead_count: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  at: Date;
  manual: boolean;
  response_snippet: string | null;
}

export interface StatsRow {
  total: string;
  ok: string;
  avg_latency: string | null;
  last_error: string | null;
  last_failure_at: Date | null;
  delivered: string;
  pending_events: string;
  in_flight_events: string;
  suppressed: string;
  unconvertible: string;
}

/** Read side: the attempt log and the per-affiliate figures of the stats endpoint. */
@Injectable()
export class StatsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  async stats(affiliateId: string): Promise<StatsRow> {
    const rows: StatsRow[] = await this.ds.query(
      `SELECT
         (SELECT count(*) FROM delivery_attempts WHERE affiliate_id = $1) AS total,
         (SELECT count(*) FROM delivery_attempts WHERE affiliate_id = $1 AND success) AS ok,
         (SELECT avg(latency_ms) FROM delivery_attempts WHERE affiliate_id = $1) AS avg_latency,
         f.error AS last_error, f.at AS last_failure_at,
         (SELECT count(*) FROM deliveries WHERE affiliate_id = $1 AND delivered_at IS NOT NULL) AS delivered,
         (SELECT count(*) FROM lead_events WHERE affiliate_id = $1 AND status = 'pending') AS pending_events,
         (SELECT coalesce(sum(lead_count), 0) FROM deliveries WHERE affiliate_id = $1 AND state = 'pending' AND delivered_at IS NULL) AS in_flight_events,
         (SELECT count(*) FROM lead_events WHERE affiliate_id = $1 AND status = 'suppressed') AS suppressed,
         (SELECT count(*) FROM lead_events WHERE affiliate_id = $1 AND unconvertible) AS unconvertible
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (SELECT error, at FROM delivery_attempts WHERE affiliate_id = $1 AND NOT success ORDER BY id DESC LIMIT 1) f ON true`,
      [affiliateId],
    );
    return rows[0];
  }

  attempts(affiliateId: string, limit: number): Promise<AttemptRow[]> {
    return this.ds.query(
      `SELECT delivery_id, attempt, event, lead_count, status_code, latency_ms, error, at, manual, response_snippet
       FROM delivery_attempts WHERE affiliate_id = $1 ORDER BY id DESC LIMIT $2`,
      [affiliateId, limit],
    );
  }
}
