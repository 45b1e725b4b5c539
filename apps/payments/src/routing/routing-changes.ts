import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';

import { eventSubjects, paymentsSubjects, type RoutingChangedEvent } from '@app/contracts';
import { prefixed } from '@app/messaging';
import { INSTANCE, NATS_CONNECTION, type InstanceInfo } from '@app/runtime';

/** A request sent after a routing change was answered must already see the change on every replica. */
const ROUTING_RELOAD_HINT = paymentsSubjects.routingReloadHint;

@Injectable()
export class RoutingChanges {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(INSTANCE) private readonly instance: InstanceInfo,
  ) {}

  /** Written into every change this replica makes. */
  get origin(): string {
    return this.instance.instanceId;
  }

  /**
   * Whether a change message asks this replica to reload: not when it made the change itself (it reloaded
   * after its own commit, and a second, late reload could race a later read). Anything unreadable reloads.
   */
  needsReload(data: Uint8Array): boolean {
    try {
      const event = JSON.parse(new TextDecoder().decode(data)) as Partial<RoutingChangedEvent> | null;
      return event?.origin !== this.instance.instanceId;
    } catch {
      return true;
    }
  }

  /** Subjects every replica listens on to reload its table. */
  subjects(): string[] {
    return [
      prefixed(this.instance.prefix, eventSubjects.paymentsRoutingChanged),
      prefixed(this.instance.prefix, ROUTING_RELOAD_HINT),
    ];
  }

  async announce(event: RoutingChangedEvent): Promise<void> {
    this.nc.publish(prefixed(this.instance.prefix, ROUTING_RELOAD_HINT), JSON.stringify(event));
    // the server has the hint before our answer leaves, so it reaches other replicas before any later request
    await this.nc.flush();
  }
}
