import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { prefixedName } from './nats';
import { eventStreamNames } from './streams';

/**
 * Each durable's backlog as JetStream counts it: messages not delivered yet (num_pending) plus those
 * delivered and not acked yet (num_ack_pending: in work, waiting in a replica, or awaiting redelivery).
 * A durable the server does not answer for is left out (the gauge keeps its last value).
 */
export class ConsumerLag {
  private jsm: JetStreamManager | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  async pending(durables: string[]): Promise<Map<string, number>> {
    this.jsm ??= await jetstreamManager(this.nc);
    const jsm = this.jsm;
    const { stream } = eventStreamNames(this.prefix);
    const out = new Map<string, number>();
    await Promise.all(
      durables.map(async (durable) => {
        const info = await jsm.consumers.info(stream, prefixedName(this.prefix, durable)).catch(() => null);
        if (info) out.set(durable, info.num_pending + info.num_ack_pending);
      }),
    );
    return out;
  }
}
