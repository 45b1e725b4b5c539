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
  activeTraceId,
  contextFromTraceparent,
  inSpan,
  ROOT_CONTEXT,
  runWithContext,
  SpanKind,
  traceIdOf,
  type Metrics,
} from '@app/observability';

import type { ConsumerRegistry } from './consumer-registry';
import { DeadLetterStore, errorText, type StoredDeadLetter } from './dead-letter.store';
import { KeyedScheduler, type TaskSlot } from './keyed-scheduler';
import { prefixed, prefixedName } from './nats';
import { isLastDelivery, retryDelayMs, retryPolicyOf, SERVER_MAX_DELIVER, type RetryPolicy } from './retry-policy';
import { eventStreamNames } from './streams';

/** A consumer's default ack_wait (CONSUMER_ACK_WAIT_MS): how soon a killed replica's unacked messages come back. */
export const DEFAULT_ACK_WAIT_MS = 10_000;
/** The durable's server-side cap of delivered, unacked messages; a process never holds more. */
const MAX_ACK_PENDING = 1000;

export interface DeliveredEvent<T = unknown> {
  /** The outbox id of the producer (Nats-Msg-Id): stable across redeliveries and relay retries. */
  id: string;
  subject: string;
  data: T;
  /** The attempt: the server's delivery count, plus the retries made in place by an ordered consumer. */
  deliveryCount: number;
}

interface ConsumerOptions {
  nc: NatsConnection;
  dataSource: DataSource;
  prefix: string;
  /** Durable name, shared by every replica of the consuming service (they split the messages). */
  durable: string;
  /** Event subject filter without prefix, e.g. `evt.payments.deposit.approved` or `evt.catalog.>`. */
  filterSubject: string;
  logger: Logger;
  metrics?: Metrics;
  /** JetStream ack_wait (CONSUMER_ACK_WAIT_MS); held messages are kept alive with working() meanwhile. */
  ackWaitMs?: number;
  /** Deliveries of a failing message before it is parked (CONSUMER_MAX_DELIVERIES). */
  maxDeliveries?: number;
  /** Delay before a failed message is offered again; doubles after each further failure (CONSUMER_RETRY_BASE_MS). */
  retryDelayMs?: number;
  /** Cap of that delay (CONSUMER_RETRY_MAX_MS). */
  maxRetryDelayMs?: number;
  /** Where operators' replays find this consumer's handler. */
  registry?: ConsumerRegistry;
  deliverPolicy?: DeliverPolicy;
}

interface PerMessageOptions<T, P> {
  batch?: undefined;
  /** Runs inside a transaction; its effects commit together with the processed-id record. */
  handler: (event: DeliveredEvent<T>, manager: EntityManager, prepared: P) => Promise<void>;
  /**
   * Runs first, outside any transaction (a provider fetch: no connection is held while it waits); what
   * it returns is the handler's third argument. A throw is a failed attempt, as the handler's. It may
   * run again for a message already processed (a redelivery): it must only read.
   */
  prepare?: (event: DeliveredEvent<T>) => Promise<P>;
  /** Messages handled at once by this process (default 1: one after another). */
  concurrency?: number;
  /**
   * Makes the consumer ordered: messages of one key are handled one after another in the order this
   * process received them, and a failing one is retried in place (its slot given up during the delay)
   * while the later ones of its key wait behind it; other keys go on. An undefined key orders nothing.
   */
  orderKey?: (event: DeliveredEvent<T>) => string | undefined;
  /** Messages this process holds at most, waiting or in work (default 256, at most max_ack_pending). */
  maxHeld?: number;
}

/** Batch mode: one transaction for many messages (intake at thousands of events/s); none of the per-message options. */
interface BatchOptions<T> extends Partial<Record<Exclude<keyof PerMessageOptions<T, unknown>, 'batch'>, undefined>> {
  batch: {
    /** The most messages in one batch: whatever arrived while the previous batch committed, up to this. */
    max: number;
    /**
     * Runs in one transaction per batch, with only the events not processed before. A throw fails the
     * batch: its messages are tried again one transaction each, so the good ones commit and only the
     * failing one is retried or parked.
     */
    handler: (events: DeliveredEvent<T>[], manager: EntityManager) => Promise<void>;
  };
}

export type DurableConsumerOptions<T, P = undefined> = ConsumerOptions & (PerMessageOptions<T, P> | BatchOptions<T>);

interface Delivered<T> {
  m: JsMsg;
  event: DeliveredEvent<T>;
}

/** Thrown by a handler that knows the message can never succeed: it is parked at once, not retried. */
export class UnprocessableMessageError extends Error {
  override name = 'UnprocessableMessageError';
}

/** What a consumer does with a failed delivery: park it (and ack) or offer it again later. */
export async function settleFailure(
  ctx: {
    store: DeadLetterStore;
    policy: RetryPolicy;
    consumer: string;
    logger: Logger;
    metrics?: Metrics;
    ack: (m: JsMsg) => void;
    /** The attempt that failed, when it is not the server's delivery count (retries in place). */
    attempts?: number;
    /** Instead of nak(delay): an ordered consumer retries the message itself after the delay. */
    retry?: (m: JsMsg, delayMs: number) => void;
  },
  m: JsMsg,
  failed: { id: string; subject: string; payload: unknown },
  err: unknown,
): Promise<void> {
  const attempts = ctx.attempts ?? m.info.deliveryCount;
  const retry = ctx.retry ?? ((x: JsMsg, delay: number) => x.nak(delay));
  const park = err instanceof UnprocessableMessageError || isLastDelivery(ctx.policy, attempts);
  const log = { err, event_id: failed.id, subject: failed.subject, consumer: ctx.consumer, attempts };
  try {
    await ctx.store.recordFailure(
      {
        consumer: ctx.consumer,
        subject: failed.subject,
        messageId: failed.id,
        payload: failed.payload,
        headers: traceHeaders(m),
        error: errorText(err),
        attempts,
      },
      park,
    );
  } catch (storeErr) {
    // not parked, so not acked: offered again later (the server never drops it: max_deliver is unlimited)
    ctx.logger.error(
      { ...log, store_error: errorText(storeErr) },
      'event handler failed and the dead-letter store is unreachable; will be redelivered',
    );
    retry(m, retryDelayMs(ctx.policy, attempts));
    return;
  }
  if (park) {
    ctx.metrics?.deadLettersTotal.inc({ consumer: ctx.consumer });
    ctx.logger.error(log, 'event handler failed on its last delivery; parked as a dead letter');
    ctx.ack(m);
  } else {
    const delay = retryDelayMs(ctx.policy, attempts);
    ctx.logger.warn({ ...log, retry_in_ms: delay }, 'event handler failed; will be redelivered');
    retry(m, delay);
  }
}

function traceHeaders(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of ['x-request-id', 'traceparent']) {
    const v = m.headers?.get(h);
    if (v) out[h] = v;
  }
  return out;
}

/** The stored message as a consumer's handler sees it on a replay. */
export function replayedEvent<T>(d: StoredDeadLetter): DeliveredEvent<T> {
  return { id: d.message_id, subject: d.subject, data: d.payload as T, deliveryCount: d.attempts + 1 };
}

export function replayContext(d: StoredDeadLetter): { requestId: string; traceId: string | undefined } {
  return { requestId: d.headers['x-request-id'] || d.message_id, traceId: traceIdOf(d.headers.traceparent) };
}

/** The payload for the dead-letter store when a message is not JSON: its text, as a JSON string. */
export function parseOrText<T>(m: JsMsg): { ok: true; data: T } | { ok: false; text: string; error: Error } {
  try {
    return { ok: true, data: m.json<T>() };
  } catch (err) {
    return {
      ok: false,
      text: m.string(),
      error: new UnprocessableMessageError(`message is not JSON: ${errorText(err)}`),
    };
  }
}

/**
 * A JetStream durable pull consumer that acks only after the handler's transaction commits, and that
 * records every processed id in that same transaction, so a redelivery (crash before ack, ack lost)
 * changes nothing. A failing message is offered again after a growing delay and, on its last
 * delivery, parked in the dead-letter store and acked (see retry-policy.ts).
 *
 * Throughput: an optional `prepare` step runs before the transaction (slow provider calls hold no
 * connection), and `concurrency` messages are handled at once; with `orderKey` the messages of one key
 * stay in order (docs/operations.md, "Durable consumers"). In batch mode the messages are handled a
 * batch per transaction instead, one batch after another. Every message held by this process, waiting
 * or in work, is kept alive with working() each third of ack_wait, so only a dead process's messages
 * are offered again, after ack_wait.
 */
export class DurableConsumer<T = unknown, P = undefined> {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  readonly durableName: string;
  private readonly policy: RetryPolicy;
  private readonly store: DeadLetterStore;
  private readonly ackWaitMs: number;
  private scheduler: KeyedScheduler | null = null;
  /** Held messages and when each was last extended (arrival, or working()). */
  private readonly held = new Map<JsMsg, number>();
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  /** Messages not started when stop() began: given back after the running ones finished (their order kept). */
  private returned: JsMsg[] = [];
  /** Batch mode: the messages received and not handled yet, the loop handling them, and its wake-up. */
  private buffer: JsMsg[] = [];
  private batches: Promise<void> | null = null;
  private arrived: (() => void) | null = null;

  constructor(private readonly opts: DurableConsumerOptions<T, P>) {
    this.durableName = prefixedName(opts.prefix, opts.durable);
    this.policy = retryPolicyOf(opts);
    this.store = new DeadLetterStore(opts.dataSource);
    this.ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  }

  async start(): Promise<void> {
    const { stream } = eventStreamNames(this.opts.prefix);
    const jsm = await jetstreamManager(this.opts.nc);
    const config = {
      durable_name: this.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: this.opts.deliverPolicy ?? DeliverPolicy.All,
      filter_subject: prefixed(this.opts.prefix, this.opts.filterSubject),
      ack_wait: nanos(this.ackWaitMs),
      max_ack_pending: MAX_ACK_PENDING,
      max_deliver: SERVER_MAX_DELIVER,
    };
    try {
      await jsm.consumers.info(stream, this.durableName);
      await jsm.consumers.update(stream, this.durableName, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
        max_deliver: config.max_deliver,
      });
    } catch {
      await jsm.consumers.add(stream, config).catch((err: Error) => {
        if (!/already/i.test(err.message)) throw err;
      });
    }
    const consumer = await jetstream(this.opts.nc).consumers.get(stream, this.durableName);
    const { batch } = this.opts;
    this.opts.registry?.register(this.opts.durable, (d, manager) =>
      runWithContext(replayContext(d), async () => {
        const event = replayedEvent<T>(d);
        if (batch) return batch.handler([event], manager);
        const prepared = this.opts.prepare ? await this.opts.prepare(event) : (undefined as P);
        await this.opts.handler(event, manager, prepared);
      }),
    );
    this.returned = [];
    this.keepAlive = setInterval(() => this.extendHeld(), Math.max(50, Math.floor(this.ackWaitMs / 6)));
    this.keepAlive.unref();
    this.messages = await consumer.consume({ max_messages: batch?.max ?? 256 });
    const messages = this.messages;
    if (batch) {
      this.loop = (async () => {
        for await (const m of messages) {
          this.held.set(m, Date.now());
          this.buffer.push(m);
          this.arrived?.();
        }
      })();
      this.batches = this.runBatches(batch);
      return;
    }
    const concurrency = Math.max(1, this.opts.concurrency ?? 1);
    const scheduler = new KeyedScheduler({
      concurrency,
      maxHeld: Math.min(MAX_ACK_PENDING, Math.max(concurrency, this.opts.maxHeld ?? 256)),
    });
    this.scheduler = scheduler;
    this.loop = (async () => {
      for await (const m of messages) await this.accept(scheduler, m);
    })();
  }

  /**
   * Stops fetching; the messages (or the batch) being handled finish first (a retry waiting in place
   * gives its message back at once); the ones waiting behind them are given back (nak) after that, to
   * be redelivered.
   */
  async stop(): Promise<void> {
    if (!this.messages) return;
    const messages = this.messages;
    this.messages = null;
    // closing from outside the iteration loop: awaiting `close()` inside it deadlocks. It resolves
    // once the loop has gone through the messages already fetched: the closed scheduler drops those.
    const closing = messages.close();
    this.arrived?.();
    await this.scheduler?.close();
    await closing;
    await this.loop;
    await this.batches;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    for (const m of [...this.returned.splice(0), ...this.buffer.splice(0)]) this.giveBack(m, 0);
  }

  /** Messages this process holds now (waiting or in work): for tests and diagnostics. */
  get heldMessages(): number {
    return this.held.size;
  }

  private async accept(scheduler: KeyedScheduler, m: JsMsg): Promise<void> {
    const meta = this.metaOf(m);
    const parsed = parseOrText<T>(m);
    const key = parsed.ok && this.opts.orderKey ? this.opts.orderKey({ ...meta, data: parsed.data }) : undefined;
    this.held.set(m, Date.now());
    await scheduler.submit(
      key,
      (slot) => this.handle(m, meta, parsed, slot),
      () => {
        this.held.delete(m);
        this.returned.push(m);
      },
    );
  }

  /** working() on every held message not extended for a third of ack_wait (the server restarts its clock). */
  private extendHeld(): void {
    const now = Date.now();
    for (const [m, at] of this.held) {
      if (now - at < this.ackWaitMs / 3) continue;
      try {
        m.working();
        this.held.set(m, now);
      } catch {
        // connection closing: the server redelivers after ack_wait, as for a dead process
      }
    }
  }

  private metaOf(m: JsMsg): Omit<DeliveredEvent<T>, 'data'> {
    const id = m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`;
    const subject = this.opts.prefix ? m.subject.slice(this.opts.prefix.length + 1) : m.subject;
    return { id, subject, deliveryCount: m.info.deliveryCount };
  }

  private async handle(
    m: JsMsg,
    meta: Omit<DeliveredEvent<T>, 'data'>,
    parsed: ReturnType<typeof parseOrText<T>>,
    slot: TaskSlot,
  ): Promise<void> {
    const { id, subject } = meta;
    const requestId = m.headers?.get('x-request-id') || id;
    try {
      const traceparent = m.headers?.get('traceparent');
      await inSpan(
        `${subject} process`,
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromTraceparent(traceparent),
          attributes: {
            'messaging.system': 'nats',
            'messaging.destination.name': subject,
            'messaging.consumer.group.name': this.opts.durable,
            'messaging.message.id': id,
          },
        },
        () =>
          runWithContext({ requestId, traceId: activeTraceId() ?? traceIdOf(traceparent) }, async () => {
            if (!parsed.ok) return this.failed(m, { id, subject, payload: parsed.text }, parsed.error);
            for (let attempt = meta.deliveryCount; ; attempt++) {
              const retryIn = await this.attempt(m, { id, subject, data: parsed.data, deliveryCount: attempt });
              if (retryIn === null) return;
              // ordered: the message keeps its place at the head of its key; its slot is free meanwhile
              if (!(await slot.pause(retryIn))) return this.giveBack(m, 0);
            }
          }),
      );
    } finally {
      this.held.delete(m);
    }
  }

  /** One attempt; the delay before retrying in place when the consumer is ordered and it failed, else null. */
  private async attempt(m: JsMsg, event: DeliveredEvent<T>): Promise<number | null> {
    try {
      const prepared = this.opts.prepare ? await this.opts.prepare(event) : (undefined as P);
      const fresh = await this.transact([event], ([e], manager) => this.opts.handler!(e, manager, prepared));
      this.done([m], fresh);
      return null;
    } catch (err) {
      let retryIn: number | null = null;
      await this.failed(
        m,
        { id: event.id, subject: event.subject, payload: event.data },
        err,
        event.deliveryCount,
        this.opts.orderKey
          ? (_m, delay) => {
              retryIn = delay;
            }
          : undefined,
      );
      return retryIn;
    }
  }

  /** Batch mode: handles what arrived, a batch at a time, until stop(); what is left then is given back. */
  private async runBatches(batch: BatchOptions<T>['batch']): Promise<void> {
    while (this.messages) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.arrived = resolve));
        this.arrived = null;
        continue;
      }
      const msgs = this.buffer.splice(0, batch.max);
      try {
        await this.handleBatch(batch, msgs);
      } finally {
        for (const m of msgs) this.held.delete(m);
      }
    }
  }

  private async handleBatch(batch: BatchOptions<T>['batch'], msgs: JsMsg[]): Promise<void> {
    const items: Delivered<T>[] = [];
    for (const m of msgs) {
      const meta = this.metaOf(m);
      const parsed = parseOrText<T>(m);
      if (parsed.ok) items.push({ m, event: { ...meta, data: parsed.data } });
      else await this.failed(m, { id: meta.id, subject: meta.subject, payload: parsed.text }, parsed.error);
    }
    if (items.length === 0) return;
    try {
      await this.commitBatch(batch, items);
    } catch (err) {
      if (items.length === 1) return this.failedItem(items[0], err);
      this.opts.logger.warn(
        { err, consumer: this.opts.durable, count: items.length },
        'event batch failed; trying its events one at a time',
      );
      for (const item of items) await this.commitBatch(batch, [item]).catch((e: unknown) => this.failedItem(item, e));
    }
  }

  /** One transaction for these messages, then their acks; its span continues a lone message's trace, else links them all. */
  private async commitBatch(batch: BatchOptions<T>['batch'], items: Delivered<T>[]): Promise<void> {
    const parents = items.map(({ m }) => contextFromTraceparent(m.headers?.get('traceparent')));
    const one = items.length === 1;
    const fresh = await inSpan(
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
      () =>
        this.transact(
          items.map((i) => i.event),
          batch.handler,
        ),
    );
    this.done(
      items.map((i) => i.m),
      fresh,
    );
  }

  /**
   * One transaction: records the ids not processed before in the ledger, applies those events (the
   * first copy of an id a batch holds twice) and clears their earlier failures; the number applied.
   */
  private transact(
    events: DeliveredEvent<T>[],
    apply: (fresh: DeliveredEvent<T>[], manager: EntityManager) => Promise<void>,
  ): Promise<number> {
    return this.opts.dataSource.transaction(async (manager) => {
      const inserted: { message_id: string }[] = await manager.query(
        `INSERT INTO processed_messages (consumer, message_id) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [this.opts.durable, events.map((e) => e.id)],
      );
      const ids = new Set(inserted.map((r) => r.message_id));
      const fresh = events.filter((e) => ids.delete(e.id));
      if (fresh.length) await apply(fresh, manager);
      const retried = fresh.filter((e) => e.deliveryCount > 1).map((e) => e.id);
      await this.store.clearFailures(manager, this.opts.durable, retried);
      return fresh.length;
    });
  }

  /** Acks messages whose transaction committed, `fresh` of them handled and the rest duplicates. */
  private done(msgs: JsMsg[], fresh: number): void {
    for (const m of msgs) this.ack(m);
    const consumer = this.opts.durable;
    if (fresh) this.opts.metrics?.consumerHandled.inc({ consumer, outcome: 'handled' }, fresh);
    if (msgs.length > fresh)
      this.opts.metrics?.consumerHandled.inc({ consumer, outcome: 'duplicate' }, msgs.length - fresh);
  }

  private failedItem({ m, event }: Delivered<T>, err: unknown): Promise<void> {
    return this.failed(m, { id: event.id, subject: event.subject, payload: event.data }, err);
  }

  /** Counts a failed attempt and settles it (retry or park); `attempts` defaults to the delivery count. */
  private failed(
    m: JsMsg,
    failed: { id: string; subject: string; payload: unknown },
    err: unknown,
    attempts = m.info.deliveryCount,
    retry?: (m: JsMsg, delayMs: number) => void,
  ): Promise<void> {
    this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
    const { store, policy } = this;
    return settleFailure(
      {
        store,
        policy,
        consumer: this.opts.durable,
        logger: this.opts.logger,
        metrics: this.opts.metrics,
        ack: (x) => this.ack(x),
        attempts,
        retry,
      },
      m,
      failed,
      err,
    );
  }

  private giveBack(m: JsMsg, delayMs: number): void {
    this.held.delete(m);
    try {
      m.nak(delayMs);
    } catch {
      // connection closed: the server redelivers after ack_wait
    }
  }

  /** Separate so a crash drill can skip the ack and prove the redelivery is harmless. */
  protected ack(m: JsMsg): void {
    m.ack();
  }
}
