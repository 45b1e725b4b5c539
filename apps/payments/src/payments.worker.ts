import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { LOGGER, NATS_CONNECTION, SERVICE_CONFIG } from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import type { PaymentsConfig } from './payments.config';
import { RoutingChanges } from './routing/routing-changes';
import { RoutingTable } from './routing/routing-table';

/**
 * Keeps this replica's memory fresh: the routing table reloads on every routing change (the durable
 * event and the immediate hint; plain subscriptions, so every replica gets each one; the replica that
 * made the change already reloaded and skips its own), on a reconnect
 * (changes may have been missed) and on a slow timer.
 */
@Injectable()
export class PaymentsWorker implements BackgroundWorker {
  private subs: Subscription[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly table: RoutingTable,
    private readonly changes: RoutingChanges,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: PaymentsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const reload = () => {
      this.table.reload().catch(() => undefined);
    };
    this.subs = this.changes.subjects().map((subject) =>
      this.nc.subscribe(subject, {
        callback: (err, msg) => {
          if (!err && this.changes.needsReload(msg.data)) reload();
        },
      }),
    );
    void (async () => {
      for await (const s of this.nc.status()) if (s.type === 'reconnect') reload();
    })().catch(() => undefined);
    this.timer = setInterval(reload, this.config.PAYMENTS_ROUTING_REFRESH_MS);
    this.timer.unref();
    await this.table
      .reload()
      .catch((err: unknown) => this.logger.warn({ err }, 'routing table not loaded at start; retrying on first use'));
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    return Promise.resolve();
  }
}
