import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';

import { contextFromTraceparent, inSpan, outgoingTraceparent, SpanKind, type Metrics } from '@app/observability';

import { prefixed } from './nats';
import { OutboxCommitSubscriber } from './outbox';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  nc: NatsConnection;
  schema: string;
  prefix: string;
  logger: Logger;
  metrics?: Metrics;
  batchSize?: number;
  /**
   * Poll interval: how soon rows committed by another replica that died before publishing are picked
   * up. Rows committed in this process wake the relay at once.
   */
  pollMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

/**
 * Publishes committed outbox rows to JetStream with Nats-Msg-Id = row id, then marks them published.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so relays in several replicas never publish the same
 * row concurrently; a relay killed between publish and mark re-publishes, and JetStream drops the copy.
 * It wakes after every local commit that wrote outbox rows, and polls for the rest.
 */
export class OutboxRelay {
  private js: JetStreamClient;
  private running = false;
  private pendingWake = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastCleanup = Date.now();
  private readonly batchSize: number;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.js = jetstream(opts.nc);
    this.batchSize = opts.batchSize ?? 500;
    opts.dataSource.subscribers.push(new OutboxCommitSubscriber(() => this.wake()));
  }

  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    // a commit while a batch is running must not wait for the next poll
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Publishes one batch; returns how many rows it published. */
  async drainOnce(): Promise<number> {
    return this.opts.dataSource.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, subject, payload, headers FROM outbox WHERE published_at IS NULL
         ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      await Promise.all(rows.map((row) => this.publish(row)));
      await this.markPublished(
        m,
        rows.map((r) => r.id),
      );
      for (const row of rows) this.opts.metrics?.outboxPublished.inc({ subject: row.subject });
      return rows.length;
    });
  }

  protected async publish(row: OutboxRow): Promise<void> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(row.headers ?? {})) h.set(k, String(v));
    // a producer span in the trace of the request that wrote the row (its traceparent was stored with it)
    const parent = contextFromTraceparent(row.headers?.traceparent);
    await inSpan(
      `${row.subject} publish`,
      {
        kind: SpanKind.PRODUCER,
        parent,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': row.subject,
          'messaging.message.id': row.id,
        },
      },
      async (span) => {
        const traceparent = span ? outgoingTraceparent(undefined) : undefined;
        if (traceparent) h.set('traceparent', traceparent);
        await this.js.publish(prefixed(this.opts.prefix, row.subject), JSON.stringify(row.payload), {
          msgID: row.id,
          headers: h,
        });
      },
    );
  }

  protected async markPublished(m: EntityManager, ids: string[]): Promise<void> {
    await m.query(`UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  private async run(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 1000;
    while (this.running) {
      this.pendingWake = false;
      let published = 0;
      try {
        published = await this.drainOnce();
        await this.cleanup();
      } catch (err) {
        this.opts.logger.warn({ err }, 'outbox relay batch failed; will retry');
        await sleep(500);
      }
      if (published < this.batchSize && this.running && !this.pendingWake) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const retentionMs = this.opts.retentionMs ?? 7 * 24 * 3600 * 1000;
    await this.opts.dataSource.query(
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')`,
      [retentionMs],
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
