import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { eventStreamNames, prefixed, prefixedName, type DeliveredEvent } from '@app/messaging';
import type { Metrics } from '@app/observability';

export interface BatchConsumerOptions<T> {
  nc: NatsConnection;
  dataSource: DataSource;
  prefix: string;
  durable: string;
  filterSubject: string;
  /** Runs in one transaction per batch, with only the events not processed before. */
  handler: (events: DeliveredEvent<T>[], manager: EntityManager) => Promise<void>;
  logger: Logger;
  metrics?: Metrics;
  maxBatch?: number;
  ackWaitMs?: number;
  retryDelayMs?: number;
}

/**
 * DurableConsumer's guarantees (JetStream durable shared by the replicas, processed ids recorded in the
 * handler's transaction, ack after commit, nak on failure) with one transaction per batch of messages
 * instead of one per message: whatever arrived while the previous batch committed is the next batch.
 * The per-message transaction of libs/messaging caps intake at a few hundred events/s; the issue asks
 * for thousands. Uses the same processed_messages ledger, so the two are interchangeable.
 */
export class BatchDurableConsumer<T = unknown> {
  private messages: ConsumerMessages | null = null;
  private reader: Promise<void> | null = null;
  private processor: Promise<void> | null = null;
  private buffer: JsMsg[] = [];
  private wakeUp: (() => void) | null = null;
  private running = false;
  readonly durableName: string;

  constructor(private readonly opts: BatchConsumerOptions<T>) {
    this.durableName = prefixedName(opts.prefix, opts.durable);
  }

  async start(): Promise<void> {
    const { stream } = eventStreamNames(this.opts.prefix);
    const jsm = await jetstreamManager(this.opts.nc);
    const ackWait = nanos(this.opts.ackWaitMs ?? 30_000);
    const maxAckPending = 4 * (this.opts.maxBatch ?? 500);
    try {
      await jsm.consumers.info(stream, this.durableName);
      await jsm.consumers.update(stream, this.durableName, { ack_wait: ackWait, max_ack_pending: maxAckPending });
    } catch {
      await jsm.consumers.add(stream, {
        durable_name: this.durableName, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
        filter_subject: prefixed(this.opts.prefix, this.opts.filterSubject), ack_wait: ackWait, max_ack_pending: maxAckPending,
      }).catch((err: Error) => {
        if (!/already/i.test(err.message)) throw err;
      });
    }
    const consumer = await jetstream(this.opts.nc).consumers.get(stream, this.durableName);
    this.messages = await consumer.consume({ max_messages: this.opts.maxBatch ?? 500 });
    const messages = this.messages;
    this.running = true;
    this.reader = (async () => {
      for await (const m of messages) {
        this.buffer.push(m);
        this.wakeUp?.();
      }
    })();
    this.processor = this.process();
  }

  async stop(): Promise<void> {
    if (!this.messages) return;
    const messages = this.messages;
    this.messages = null;
    await messages.close(); // from outside the iteration loop (TOOLCHAIN.md P7)
    await this.reader;
    this.running = false;
    this.wakeUp?.();
    await this.processor;
    // not processed: offered again at once (to another replica, or to this one after a restart)
    for (const m of this.buffer.splice(0)) m.nak();
  }

  private async process(): Promise<void> {
    while (this.running) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => { this.wakeUp = resolve; });
        this.wakeUp = null;
        continue;
      }
      await this.handle(this.buffer.splice(0, this.opts.maxBatch ?? 500));
    }
  }

  private async handle(batch: JsMsg[]): Promise<void> {
    const prefix = this.opts.prefix;
    const events = batch.map((m): DeliveredEvent<T> | null => {
      try {
        return {
          id: m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`,
          subject: prefix ? m.subject.slice(prefix.length + 1) : m.subject,
          data: m.json<T>(), deliveryCount: m.info.deliveryCount,
        };
      } catch {
        this.opts.logger.warn({ consumer: this.opts.durable, seq: m.seq }, 'event is not JSON; dropped');
        return null;
      }
    });
    try {
      const fresh = await this.opts.dataSource.transaction(async (manager) => {
        const valid = events.filter((e): e is DeliveredEvent<T> => e !== null);
        const inserted: { message_id: string }[] = await manager.query(
          `INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::text[])
           ON CONFLICT DO NOTHING RETURNING message_id`,
          [this.opts.durable, valid.map((e) => e.id)],
        );
        const ids = new Set(inserted.map((r) => r.message_id));
        const todo = valid.filter((e) => ids.delete(e.id)); // first copy only, when a batch holds one twice
        if (todo.length) await this.opts.handler(todo, manager);
        return todo.length;
      });
      for (const m of batch) m.ack();
      this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'handled' }, fresh);
      this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'duplicate' }, batch.length - fresh);
    } catch (err) {
      this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' }, batch.length);
      this.opts.logger.warn({ err, consumer: this.opts.durable, count: batch.length }, 'event batch failed; will be redelivered');
      for (const m of batch) m.nak(this.opts.retryDelayMs ?? 1000);
    }
  }
}
