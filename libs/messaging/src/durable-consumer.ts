import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { runWithContext, traceIdOf, type Metrics } from '@app/observability';
import { eventStreamNames } from './streams';
import { prefixed, prefixedName } from './nats';

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
  /** Delay before a failed message is offered again. */
  retryDelayMs?: number;
  deliverPolicy?: DeliverPolicy;
}

/**
 * A JetStream durable pull consumer that acks only after the handler's transaction commits, and that
 * records every processed id in that same transaction, so a redelivery (crash before ack, ack lost)
 * changes nothing.
 */
export class DurableConsumer<T = unknown> {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  readonly durableName: string;

  constructor(private readonly opts: DurableConsumerOptions<T>) {
    this.durableName = prefixedName(opts.prefix, opts.durable);
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
    };
    try {
      await jsm.consumers.info(stream, this.durableName);
      await jsm.consumers.update(stream, this.durableName, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    } catch {
      await jsm.consumers.add(stream, config).catch(async (err: Error) => {
        if (!/already/i.test(err.message)) throw err;
      });
    }
    const consumer = await jetstream(this.opts.nc).consumers.get(stream, this.durableName);
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
    await runWithContext({ requestId, traceId: traceIdOf(m.headers?.get('traceparent')) }, async () => {
      try {
        const handled = await this.opts.dataSource.transaction(async (manager) => {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
            [this.opts.durable, id],
          );
          if (inserted.length === 0) return false;
          await this.opts.handler({ id, subject, data: m.json<T>(), deliveryCount: m.info.deliveryCount }, manager);
          return true;
        });
        this.ack(m);
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: handled ? 'handled' : 'duplicate' });
      } catch (err) {
        this.opts.metrics?.consumerHandled.inc({ consumer: this.opts.durable, outcome: 'failed' });
        this.opts.logger.warn({ err, event_id: id, subject, consumer: this.opts.durable }, 'event handler failed; will be redelivered');
        m.nak(this.opts.retryDelayMs ?? 1000);
      }
    });
  }

  /** Separate so a crash drill can skip the ack and prove the redelivery is harmless. */
  protected ack(m: JsMsg): void {
    m.ack();
  }
}
