import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventSubjects, paymentsSubjects, type RoutingChangedEvent } from '@app/contracts';
import { prefixed } from '@app/messaging';
import { INSTANCE, NATS_CONNECTION, type InstanceInfo } from '@app/runtime';

/** A request sent after a routing change was answered must already see the change on every replica. */
const ROUTING_RELOAD_HINT = paymentsSubjects.routingReloadHint;

@Injectable()
export class RoutingChanges {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection, @Inject(INSTANCE) private readonly instance: InstanceInfo) {}

  /** Subjects every replica listens on to reload its table. */
  subjects(): string[] {
    return [prefixed(this.instance.prefix, eventSubjects.paymentsRoutingChanged), prefixed(this.instance.prefix, ROUTING_RELOAD_HINT)];
  }

  async announce(event: RoutingChangedEvent): Promise<void> {
    this.nc.publish(prefixed(this.instance.prefix, ROUTING_RELOAD_HINT), JSON.stringify(event));
    // the server has the hint before our answer leaves, so it reaches other replicas before any later request
    await this.nc.flush();
  }
}
