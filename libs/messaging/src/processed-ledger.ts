import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { EVENTS_STREAM_MAX_AGE_MS, eventStreamNames } from './streams';

/**
 * The processed-message ledger (processed_messages) is what makes a redelivery harmless, so an id may
 * only be forgotten once JetStream can no longer deliver its message: after the stream's max_age. The
 * margin covers a message stored twice (an outbox relay that could not mark a row published for longer
 * than the duplicate window publishes it again, later, under the same id) and clock differences.
 */
export const LEDGER_RETENTION_MARGIN_MS = 24 * 60 * 60 * 1000;
/** The shortest CONSUMER_LEDGER_RETENTION_MS accepted: the stream's max_age plus the margin. */
export const MIN_LEDGER_RETENTION_MS = EVENTS_STREAM_MAX_AGE_MS + LEDGER_RETENTION_MARGIN_MS;
/** CONSUMER_LEDGER_RETENTION_MS's default: 21 days, a week beyond the stream's 14. */
export const DEFAULT_LEDGER_RETENTION_MS = 21 * 24 * 60 * 60 * 1000;

/** Why a ledger retention is unsafe against a stream max_age (0: the stream keeps messages forever), or null. */
export function ledgerRetentionProblem(retentionMs: number, streamMaxAgeMs: number): string | null {
  if (streamMaxAgeMs <= 0)
    return 'the EVENTS stream has no max_age: its messages can be redelivered forever, so no processed id may be purged';
  if (retentionMs < streamMaxAgeMs + LEDGER_RETENTION_MARGIN_MS) {
    return `the processed-message ledger must be kept at least the EVENTS stream's max_age (${streamMaxAgeMs} ms) plus ${LEDGER_RETENTION_MARGIN_MS} ms`;
  }
  return null;
}

/** An index for the purge's range delete (the ledger grows by one row per handled message). */
export class ProcessedMessagesAge1766000000000 implements MigrationInterface {
  name = 'ProcessedMessagesAge1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS processed_messages_processed_at ON processed_messages (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS processed_messages_processed_at`);
  }
}

export interface LedgerPurgeOptions {
  dataSource: DataSource;
  nc: NatsConnection;
  prefix: string;
  /** CONSUMER_LEDGER_RETENTION_MS. */
  retentionMs: number;
  logger: Logger;
  /** Time between passes (default hourly). */
  intervalMs?: number;
  /** Rows deleted per statement (short locks on a large table). */
  batchSize?: number;
}

/**
 * Deletes ledger rows older than the retention, in batches. Each pass reads the stream's actual max_age
 * (it may have been raised by hand) and never deletes an id younger than that plus the margin, nor any
 * when the stream keeps messages forever.
 */
export class LedgerPurge {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;
  private jsm: JetStreamManager | null = null;

  constructor(private readonly opts: LedgerPurgeOptions) {}

  start(): void {
    const interval = this.opts.intervalMs ?? 3_600_000;
    this.timer = setInterval(() => {
      this.running ??= this.purgeOnce().finally(() => {
        this.running = null;
      });
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; the number of ids forgotten (0 when the stream forbids it or on failure, logged). */
  async purgeOnce(): Promise<number> {
    try {
      this.jsm ??= await jetstreamManager(this.opts.nc);
      const info = await this.jsm.streams.info(eventStreamNames(this.opts.prefix).stream);
      const maxAgeMs = Math.floor(Number(info.config.max_age ?? 0) / 1e6);
      const problem = ledgerRetentionProblem(this.opts.retentionMs, maxAgeMs);
      const horizonMs = maxAgeMs > 0 ? Math.max(this.opts.retentionMs, maxAgeMs + LEDGER_RETENTION_MARGIN_MS) : null;
      if (problem)
        this.opts.logger.warn(
          { retention_ms: this.opts.retentionMs, stream_max_age_ms: maxAgeMs, horizon_ms: horizonMs },
          `ledger purge: ${problem}; keeping ids longer`,
        );
      if (horizonMs === null) return 0;
      return await this.deleteOlderThan(horizonMs);
    } catch (err) {
      this.opts.logger.warn({ err }, 'processed-message ledger purge failed; retried on the next pass');
      return 0;
    }
  }

  private async deleteOlderThan(horizonMs: number): Promise<number> {
    const batch = this.opts.batchSize ?? 10_000;
    let total = 0;
    for (;;) {
      const [, affected]: [unknown, number] = await this.opts.dataSource.query(
        `DELETE FROM processed_messages WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM processed_messages WHERE processed_at < now() - ($1::bigint * interval '1 millisecond') LIMIT $2))`,
        [horizonMs, batch],
      );
      total += affected;
      if (affected < batch) break;
    }
    if (total) this.opts.logger.info({ purged: total, horizon_ms: horizonMs }, 'processed-message ledger purged');
    return total;
  }
}
