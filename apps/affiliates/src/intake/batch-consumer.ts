import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';

import {
  DeadLetterStore,
  eventStreamNames,
  parseOrText,
  prefixed,
  prefixedName,
  replayContext,
  replayedEvent,
  retryPolicyOf,
  SERVER_MAX_DELIVER,
  settleFailure,
  type ConsumerRegistry,
  type DeliveredEvent,
  type RetryPolicy,
} from '@app/messaging';
import {
  contextFromTraceparent,
  inSpan,
  ROOT_CONTEXT,
  runWithContext,
  SpanKind,
  type Metrics,
} from '@app/observability';

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
  /** As DurableConsumer's: deliveries before a failing message is parked, and the doubling delay between them. */
  maxDeliveries?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  registry?: ConsumerRegistry;
}

/**
 * DurableConsumer's guarantees (JetStream durable shared by the replicas, processed ids recorded in the
 * handler's transaction, ack after commit, delayed retries and parking of poison messages) with one
 * transaction per batch of messages instead of one per message: whatever arrived while the previous
 * batch committed is the next batch. The per-message transaction of libs/messaging caps intake at a
 * few hundred events/s; intake needs thousands. When a batch fails, its messages are tried again one
 * transaction each, so the good ones commit and only the failing one is retried or parked. Uses the
 * same processed_messages ledger and dead-letter store, so the two are interchangeable.
 */
export class BatchDurableConsumer<T = unknown> {
  private messages: ConsumerMessages | null = null;
  private reader: Promise<void> | null = null;
  private processor: Promise<void> | null = null;
  private buffer: JsMsg[] = [];
  private wakeUp: (() => void) | null = null;
  private running = false;
  readonly durableName: string;
  private readonly policy: RetryPolicy;
  private readonly store: DeadLetterStore;

  constructor(private readonly opts: BatchConsumerOptions<T>) {
    this.durableName = prefixedName(opts.prefix, opts.durable);
    this.policy = retryPolicyOf(opts);
    this.store = new DeadLetterStore(opts.dataSource);
  }

  async start(): Promise<void> {
    const { stream } = eventStreamNames(this.opts.prefix);
    const jsm = await jetstreamManager(this.opts.nc);
    const ackWait = nanos(this.opts.ackWaitMs ?? 30_000);
    const maxAckPending = 4 * (this.opts.maxBatch ?? 500);
    try {
      await jsm.consumers.info(stream, this.durableName);
      await jsm.consumers.update(stream, this.durableName, {
        ack_wait: ackWait,
        max_ack_pending: maxAckPending,
        max_deliver: SERVER_MAX_DELIVER,
      });
    } catch {
      await jsm.consumers
        .add(stream, {
          durable_name: this.durableName,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: prefixed(this.opts.prefix, this.opts.filterSubject),
          ack_wait: ackWait,
          max_ack_pending: maxAckPending,
          max_deliver: SERVER_MAX_DELIVER,
        })
        .catch((err: Error) => {
          if (!/already/i.test(err.message)) throw err;
        });
    }
    const consumer = await jetstream(this.opts.nc).consumers.get(stream, this.durableName);
    this.opts.registry?.register(this.opts.durable, (d, manager) =>
      runWithContext(replayContext(d), () => this.opts.handler([replayedEvent<T>(d)], manager)),
    );
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
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
        });
        this.wakeUp = null;
        continue;
      }
      await this.handle(this.buffer.splice(0, this.opts.maxBatch ?? 500));
    }
  }

  private async handle(batch: JsMsg[]): Promise<void> {
    const items: { m: JsMsg; event: DeliveredEvent<T> }[] = [];
    for (const m of batch) {
      const id = m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`;
      const subject = this.opts.prefix ? m.subject.slice(this.opts.prefix.length + 1) : m.subject;
      const parsed = parseOrText<T>(m);
      if (parsed.ok) items.push({ m, event: { id, subject, data: parsed.data, deliveryCount: m.info.deliveryCount } });
      else {
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
        await this.settle(m, { id, subject, payload: parsed.text }, parsed.error);
      }
    }
    if (items.length === 0) return;
    try {
      await this.commit(items);
    } catch (err) {
      if (items.length === 1) return this.failed(items[0], err);
      this.opts.logger.warn(
        { err, consumer: this.opts.durable, count: items.length },
        'event batch failed; trying its events one at a time',
      );
      for (const item of items) {
        try {
          await this.commit([item]);
        } catch (oneErr) {
          await this.failed(item, oneErr);
        }
      }
    }
  }

  /** One transaction for these events (those not processed before), then their acks. */
  private async commit(items: { m: JsMsg; event: DeliveredEvent<T> }[]): Promise<void> {
    // the event hop's consumer span: a batch of one continues its message's trace; a larger batch is a
    // span of its own, linked to every message's trace
    const parents = items.map(({ m }) => contextFromTraceparent(m.headers?.get('traceparent')));
    const one = items.length === 1;
    await inSpan(
      `${this.opts.filterSubject} process`,
      {
        kind: SpanKind.CONSUMER,
        parent: one ? parents[0] : ROOT_CONTEXT,
        links: one ? [] : parents,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': this.opts.filterSubject,
          'messaging.consumer.group.name': this.opts.durable,
          'messaging.batch.message_count': items.length,
        },
      },
      () => this.commitInSpan(items),
    );
  }

  private async commitInSpan(items: { m: JsMsg; event: DeliveredEvent<T> }[]): Promise<void> {
    const fresh = await this.opts.dataSource.transaction(async (manager) => {
      const inserted: { message_id: string }[] = await manager.query(
        `INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [this.opts.durable, items.map((i) => i.event.id)],
      );
      const ids = new Set(inserted.map((r) => r.message_id));
      const todo = items.map((i) => i.event).filter((e) => ids.delete(e.id)); // first copy only, when a batch holds one twice
      if (todo.length) await this.opts.handler(todo, manager);
      await this.store.clearFailures(
        manager,
        this.opts.durable,
        todo.filter((e) => e.deliveryCount > 1).map((e) => e.id),
      );
      return todo.length;
    });
    for (const { m } of items) m.ack();
    this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'handled' }, fresh);
    this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'duplicate' }, items.length - fresh);
  }

  private failed(item: { m: JsMsg; event: DeliveredEvent<T> }, err: unknown): Promise<void> {
    this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
    return this.settle(item.m, { id: item.event.id, subject: item.event.subject, payload: item.event.data }, err);
  }

  private settle(m: JsMsg, failed: { id: string; subject: string; payload: unknown }, err: unknown): Promise<void> {
    const { store, policy } = this;
    return settleFailure(
      {
        store,
        policy,
        consumer: this.opts.durable,
        logger: this.opts.logger,
        metrics: this.opts.metrics,
        ack: (x) => x.ack(),
      },
      m,
      failed,
      err,
    );
  }
}
