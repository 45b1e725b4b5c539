import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { INSTANCE, LOGGER, SERVICE_CONFIG, type InstanceInfo } from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';
import { Vault } from '@app/vault';

import type { AffiliatesConfig } from '../affiliates.config';
import { AffiliatesMetrics } from '../affiliates.metrics';
import { signingSecrets } from '../affiliates/secret';
import { AttemptService } from './attempt.service';
import { DeliveriesRepository, type LaneRow } from './deliveries.repository';
import { LaneLeases } from './lane-leases';

const POLL_MS = 250;
const PAGE = 50;

/**
 * Sends due deliveries. Each affiliate is a lane: one replica at a time owns it (a claim with SKIP
 * LOCKED and a short lease its heartbeat renews while it works), and sends its batches one after
 * another in batch order, so a flush's lead.ftd batch follows that flush's other batches. Lanes run
 * concurrently, so a slow or failing affiliate holds only its own lane.
 *
 * Delivery is at-least-once: a replica that dies (or loses the database) mid-request loses its leases
 * within AFFILIATE_LANE_LEASE_MS, another replica takes the lane and sends the batch in flight again
 * with the same webhook-id, by which receivers de-duplicate. A replica whose lease is lost stops
 * sending on that lane at once, abandoning its request in flight.
 */
@Injectable()
export class DeliveryLanes implements BackgroundWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly leases: LaneLeases;

  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly attempts: AttemptService,
    private readonly vault: Vault,
    metrics: AffiliatesMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: AffiliatesConfig,
    @Inject(INSTANCE) private readonly instance: InstanceInfo,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.leases = new LaneLeases(repo, instance.instanceId, config.AFFILIATE_LANE_LEASE_MS, logger, () =>
      metrics.laneLeasesLost.inc(),
    );
  }

  start(): Promise<void> {
    this.running = true;
    this.leases.start();
    this.loop = this.run();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    // the heartbeat runs until the last lane has finished its request
    await Promise.all(this.lanes.values());
    this.leases.stop();
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.claim();
      } catch (err) {
        this.logger.warn({ err }, 'claiming delivery lanes failed; will retry');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private async claim(): Promise<void> {
    const free = this.config.AFFILIATE_DELIVERY_CONCURRENCY - this.lanes.size;
    if (free <= 0) return;
    const claimedAt = LaneLeases.now();
    const claimed = await this.repo.claimLanes(this.instance.instanceId, free, this.config.AFFILIATE_LANE_LEASE_MS, [
      ...this.lanes.keys(),
    ]);
    for (const lane of claimed) {
      const run = this.runLane(lane, this.leases.hold(lane.id, claimedAt))
        .catch((err: unknown) => this.logger.warn({ err, affiliate_id: lane.id }, 'delivery lane failed; will retry'))
        .finally(() => {
          this.lanes.delete(lane.id);
          this.wake();
        });
      this.lanes.set(lane.id, run);
    }
  }

  private async runLane(lane: LaneRow, leaseLost: AbortSignal): Promise<void> {
    try {
      const secrets = signingSecrets(this.vault, lane.id, {
        secretSealed: lane.secret_sealed,
        previousSecretSealed: lane.previous_secret_sealed,
        previousSecretUntil: lane.previous_secret_until,
      });
      for (;;) {
        if (leaseLost.aborted) return;
        const due = await this.repo.dueDeliveries(lane.id, PAGE);
        if (due.length === 0) return;
        for (const d of due) {
          if (!this.running || leaseLost.aborted) return;
          const outcome = await this.attempts.run(lane, d, secrets, leaseLost);
          if (outcome.disabled || outcome.abandoned) return;
        }
      }
    } finally {
      this.leases.drop(lane.id);
      await this.repo.releaseLane(lane.id, this.instance.instanceId);
    }
  }
}
