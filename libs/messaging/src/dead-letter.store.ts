import { randomUUID } from 'node:crypto';

import type { DataSource, EntityManager } from 'typeorm';

import type { DeadLetterView } from '@app/contracts';

export interface FailedDelivery {
  consumer: string;
  subject: string;
  messageId: string;
  payload: unknown;
  headers: Record<string, string>;
  error: string;
  attempts: number;
}

export interface StoredDeadLetter extends DeadLetterView {
  headers: Record<string, string>;
}

interface Row {
  id: string;
  consumer: string;
  subject: string;
  message_id: string;
  payload: unknown;
  headers: Record<string, string>;
  error: string;
  attempts: number;
  first_failed_at: Date;
  parked_at: Date;
}

const COLUMNS = `id, consumer, subject, message_id, payload, headers, error, attempts, first_failed_at, parked_at`;
const NOW_MS = `date_trunc('milliseconds', clock_timestamp())`;
/** Errors can quote whole inputs; the store keeps what an operator needs to read. */
const MAX_ERROR_CHARS = 2000;

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/** The dead_letters table of the service's schema (see DeadLetterTable1765000000000). */
export class DeadLetterStore {
  constructor(private readonly ds: DataSource) {}

  /** Notes a failed delivery; with `park` the message is parked (listed, and no longer retried). */
  async recordFailure(f: FailedDelivery, park: boolean): Promise<void> {
    await this.ds.query(
      `INSERT INTO dead_letters (id, consumer, subject, message_id, payload, headers, error, attempts, first_failed_at, last_failed_at, parked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${NOW_MS}, ${NOW_MS}, CASE WHEN $9::boolean THEN ${NOW_MS} END)
       ON CONFLICT (consumer, message_id) DO UPDATE SET
         subject = EXCLUDED.subject, payload = EXCLUDED.payload, headers = EXCLUDED.headers, error = EXCLUDED.error,
         attempts = GREATEST(dead_letters.attempts, EXCLUDED.attempts), last_failed_at = EXCLUDED.last_failed_at,
         parked_at = COALESCE(dead_letters.parked_at, EXCLUDED.parked_at)`,
      [
        randomUUID(),
        f.consumer,
        f.subject,
        f.messageId,
        JSON.stringify(f.payload ?? null),
        JSON.stringify(f.headers),
        f.error,
        f.attempts,
        park,
      ],
    );
  }

  /** Forgets the failures of messages that have now been handled (only retried ones can have any). */
  async clearFailures(m: EntityManager, consumer: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await m.query(
      `DELETE FROM dead_letters WHERE consumer = $1 AND message_id = ANY($2::text[]) AND parked_at IS NULL`,
      [consumer, messageIds],
    );
  }

  async list(q: {
    consumer?: string;
    limit: number;
    after?: { parked_at: string; id: string };
  }): Promise<StoredDeadLetter[]> {
    const where = ['parked_at IS NOT NULL'];
    const params: unknown[] = [];
    if (q.consumer) where.push(`consumer = $${params.push(q.consumer)}`);
    if (q.after)
      where.push(
        `(parked_at, id) > ($${params.push(q.after.parked_at)}::timestamptz, $${params.push(q.after.id)}::uuid)`,
      );
    const rows: Row[] = await this.ds.query(
      `SELECT ${COLUMNS} FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY parked_at, id LIMIT $${params.push(q.limit)}`,
      params,
    );
    return rows.map(view);
  }

  async get(id: string, m: EntityManager = this.ds.manager): Promise<StoredDeadLetter | null> {
    const rows: Row[] = await m.query(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 AND parked_at IS NOT NULL`, [
      id,
    ]);
    return rows[0] ? view(rows[0]) : null;
  }

  /** Locks a parked row for a replay; null when it is gone or another replay holds it. */
  async lockParked(m: EntityManager, id: string): Promise<StoredDeadLetter | null> {
    const rows: Row[] = await m.query(
      `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1 AND parked_at IS NOT NULL FOR UPDATE SKIP LOCKED`,
      [id],
    );
    return rows[0] ? view(rows[0]) : null;
  }

  async parkedIds(consumer: string): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id FROM dead_letters WHERE consumer = $1 AND parked_at IS NOT NULL ORDER BY parked_at, id`,
      [consumer],
    );
    return rows.map((r) => r.id);
  }

  async delete(id: string, m: EntityManager = this.ds.manager): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query(
      `DELETE FROM dead_letters WHERE id = $1 AND parked_at IS NOT NULL`,
      [id],
    );
    return affected > 0;
  }

  async deleteConsumer(consumer: string, m: EntityManager = this.ds.manager): Promise<number> {
    const [, affected]: [unknown, number] = await m.query(
      `DELETE FROM dead_letters WHERE consumer = $1 AND parked_at IS NOT NULL`,
      [consumer],
    );
    return affected;
  }

  async replayFailed(id: string, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE dead_letters SET attempts = attempts + 1, error = $2, last_failed_at = ${NOW_MS} WHERE id = $1`,
      [id, error],
    );
  }

  async countParked(): Promise<Map<string, number>> {
    const rows: { consumer: string; n: number }[] = await this.ds.query(
      `SELECT consumer, count(*)::int AS n FROM dead_letters WHERE parked_at IS NOT NULL GROUP BY consumer`,
    );
    return new Map(rows.map((r) => [r.consumer, r.n]));
  }
}

function view(r: Row): StoredDeadLetter {
  return {
    id: r.id,
    consumer: r.consumer,
    subject: r.subject,
    message_id: r.message_id,
    payload: r.payload,
    headers: r.headers,
    error: r.error,
    attempts: r.attempts,
    first_failed_at: r.first_failed_at.toISOString(),
    parked_at: r.parked_at.toISOString(),
  };
}
