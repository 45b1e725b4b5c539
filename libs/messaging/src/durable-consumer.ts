import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { runWithContext, traceIdOf, type Metrics } from '@app/observability';
import { eventStreamNames } from './streams';
import { prefixed, prefixedName } from './nats';
import type { ConsumerRegistry } from './consumer-registry';
import { DeadLetterStore, errorText, type StoredDeadLetter } from './dead-letter.store';
import { SERVER_MAX_DELIVER, isLastDelivery, retryDelayMs, retryPolicyOf, type RetryPolicy } from './retry-policy';

export interface DeliveredEvent<T = unknown> {
  /** The outbox id of the producer (Nats-Msg-Id): stable across redeliveries and relay retries. */
  id: string;
  subject: string;
  data: T;
  deliveryCount: number;
}

export interface DurableConsumerOptions<T> {
  nc: NatsConnection;
  dataSource: DataSource;
  prefix: string;
  /** Durable name, shared by every replica of the consuming service (they split the messages). */
  durable: string;
  /** Event subject filter without prefix, e.g. `evt.payments.deposit.approved` or `evt.catalog.>`. */
  filterSubject: string;
  /** Runs inside a transaction; its effects commit together with the processed-id record. */
  handler: (event: DeliveredEvent<T>, manager: EntityManager) => Promise<void>;
  logger: Logger;
  metrics?: Metrics;
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

/** Thrown by a handler that knows the message can never succeed: it is parked at once, not retried. */
export class UnprocessableMessageError extends Error {
  override name = 'UnprocessableMessageError';
}

/** What a consumer does with a failed delivery: park it (and ack) or offer it again later. */
export async function settleFailure(
  ctx: { store: DeadLetterStore; policy: RetryPolicy; consumer: string; logger: Logger; metrics?: Metrics; ack: (m: JsMsg) => void },
  m: JsMsg, failed: { id: string; subject: string; payload: unknown }, err: unknown,
): Promise<void> {
  const attempts = m.info.deliveryCount;
  const park = err instanceof UnprocessableMessageError || isLastDelivery(ctx.policy, attempts);
  const log = { err, event_id: failed.id, subject: failed.subject, consumer: ctx.consumer, attempts };
  try {
    await ctx.store.recordFailure({
      consumer: ctx.consumer, subject: failed.subject, messageId: failed.id, payload: failed.payload,
      headers: traceHeaders(m), error: errorText(err), attempts,
    }, park);
  } catch (storeErr) {
    // not parked, so not acked: offered again later (the server never drops it: max_deliver is unlimited)
    ctx.logger.error({ ...log, store_error: errorText(storeErr) }, 'event handler failed and the dead-letter store is unreachable; will be redelivered');
    m.nak(retryDelayMs(ctx.policy, attempts));
    return;
  }
  if (park) {
    ctx.metrics?.deadLettersTotal.inc({ consumer: ctx.consumer });
    ctx.logger.error(log, 'event handler failed on its last delivery; parked as a dead letter');
    ctx.ack(m);
  } else {
    const delay = retryDelayMs(ctx.policy, attempts);
    ctx.logger.warn({ ...log, retry_in_ms: delay }, 'event handler failed; will be redelivered');
    m.nak(delay);
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
    return { ok: false, text: m.string(), error: new UnprocessableMessageError(`message is not JSON: ${errorText(err)}`) };
  }
}

/**
 * A JetStream durable pull consumer that acks only after the handler's transaction commits, and that
 * records every processed id in that same transaction, so a redelivery (crash before ack, ack lost)
 * changes nothing. A failing message is offered again after a growing delay and, on its last
 * delivery, parked in the dead-letter store and acked (see retry-policy.ts).
 */
export class DurableConsumer<T = unknown> {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  readonly durableName: string;
  private readonly policy: RetryPolicy;
  private readonly store: DeadLetterStore;

  constructor(private readonly opts: DurableConsumerOptions<T>) {
    this.durableName = prefixedName(opts.prefix, opts.durable);
    this.policy = retryPolicyOf(opts);
    this.store = new DeadLetterStore(opts.dataSource);
  }

  async start(): Promise<void> {
    const { stream } = eventStreamNames(this.opts.prefix);
    const jsm = await jetstreamManager(this.opts.nc);
    const config = {
      durable_name: this.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: this.opts.deliverPolicy ?? DeliverPolicy.All,
      filter_subject: prefixed(this.opts.prefix, this.opts.filterSubject),
      ack_wait: nanos(this.opts.ackWaitMs ?? 30_000),
      max_ack_pending: 1000,
      max_deliver: SERVER_MAX_DELIVER,
    };
    try {
      await jsm.consumers.info(stream, this.durableName);
      await jsm.consumers.update(stream, this.durableName, {
        ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending, max_deliver: config.max_deliver,
      });
    } catch {
      await jsm.consumers.add(stream, config).catch(async (err: Error) => {
        if (!/already/i.test(err.message)) throw err;
      });
    }
    const consumer = await jetstream(this.opts.nc).consumers.get(stream, this.durableName);
    this.opts.registry?.register(this.opts.durable, (d, manager) =>
      runWithContext(replayContext(d), () => this.opts.handler(replayedEvent<T>(d), manager)));
    this.messages = await consumer.consume({ max_messages: 256 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) await this.handle(m);
    })();
  }

  /** Stops fetching; the message being handled finishes first. Unacked prefetched ones are redelivered. */
  async stop(): Promise<void> {
    if (!this.messages) return;
    const messages = this.messages;
    this.messages = null;
    // closing from outside the iteration loop: closing inside it deadlocks (TOOLCHAIN.md P7)
    await messages.close();
    await this.loop;
  }

  private async handle(m: JsMsg): Promise<void> {
    const id = m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`;
    const requestId = m.headers?.get('x-request-id') || id;
    const subject = this.opts.prefix ? m.subject.slice(this.opts.prefix.length + 1) : m.subject;
    const deliveryCount = m.info.deliveryCount;
    await runWithContext({ requestId, traceId: traceIdOf(m.headers?.get('traceparent')) }, async () => {
      const parsed = parseOrText<T>(m);
      if (!parsed.ok) {
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
        return this.settle(m, { id, subject, payload: parsed.text }, parsed.error);
      }
      try {
        const handled = await this.opts.dataSource.transaction(async (manager) => {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
            [this.opts.durable, id],
          );
          if (inserted.length === 0) return false;
          await this.opts.handler({ id, subject, data: parsed.data, deliveryCount }, manager);
          if (deliveryCount > 1) await this.store.clearFailures(manager, this.opts.durable, [id]);
          return true;
        });
        this.ack(m);
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: handled ? 'handled' : 'duplicate' });
      } catch (err) {
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
        await this.settle(m, { id, subject, payload: parsed.data }, err);
      }
    });
  }

  private settle(m: JsMsg, failed: { id: string; subject: string; payload: unknown }, err: unknown): Promise<void> {
    const { store, policy } = this;
    return settleFailure({ store, policy, consumer: this.opts.durable, logger: this.opts.logger, metrics: this.opts.metrics, ack: (x) => this.ack(x) }, m, failed, err);
  }

  /** Separate so a crash drill can skip the ack and prove the redelivery is harmless. */
  protected ack(m: JsMsg): void {
    m.ack();
  }
}
