import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { INSTANCE, LOGGER, SERVICE_CONFIG, type BackgroundWorker, type InstanceInfo } from '@app/runtime';
import { Vault } from '@app/vault';
import type { AffiliatesConfig } from '../affiliates.config';
import { signingSecrets } from '../affiliates/secret';
import { AttemptService } from './attempt.service';
import { DeliveriesRepository, type LaneRow } from './deliveries.repository';

const POLL_MS = 250;
const PAGE = 50;

/**
 * Sends due deliveries. Each affiliate is a lane: one replica at a time owns it (a leased claim with
 * SKIP LOCKED), and sends its batches one after another in batch order, so a batch is never sent twice
 * at once and a flush's lead.ftd batch follows that flush's other batches. Lanes run concurrently, so a
 * slow or failing affiliate holds only its own lane.
 */
@Injectable()
export class DeliveryLanes implements BackgroundWorker {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly lanes = new Map<string, Promise<void>>();

  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly attempts: AttemptService,
    private readonly vault: Vault,
    @Inject(SERVICE_CONFIG) private readonly config: AffiliatesConfig,
    @Inject(INSTANCE) private readonly instance: InstanceInfo,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.lanes.values());
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
        this.wakeUp = () => { clearTimeout(timer); resolve(); };
      });
      this.wakeUp = null;
    }
  }

  private async claim(): Promise<void> {
    const free = this.config.AFFILIATE_DELIVERY_CONCURRENCY - this.lanes.size;
    if (free <= 0) return;
    const claimed = await this.repo.claimLanes(this.instance.instanceId, free, this.config.AFFILIATE_LANE_LEASE_MS, [...this.lanes.keys()]);
    for (const lane of claimed) {
      const run = this.runLane(lane)
        .catch((err: unknown) => this.logger.warn({ err, affiliate_id: lane.id }, 'delivery lane failed; will retry'))
        .finally(() => {
          this.lanes.delete(lane.id);
          this.wake();
        });
      this.lanes.set(lane.id, run);
    }
  }

  private async runLane(lane: LaneRow): Promise<void> {
    const owner = this.instance.instanceId;
    let leaseEnd = lane.lane_until.getTime();
    try {
      const secrets = signingSecrets(this.vault, lane.id, {
        secretSealed: lane.secret_sealed, previousSecretSealed: lane.previous_secret_sealed, previousSecretUntil: lane.previous_secret_until,
      });
      for (;;) {
        const due = await this.repo.dueDeliveries(lane.id, PAGE);
        if (due.length === 0) return;
        for (const d of due) {
          if (!this.running) return;
          // never start a request that could outlive the lease: another replica could take the lane
          if (leaseEnd - Date.now() < this.config.AFFILIATE_REQUEST_TIMEOUT_MS + 5000) {
            const renewed = await this.repo.renewLane(lane.id, owner, this.config.AFFILIATE_LANE_LEASE_MS);
            if (!renewed) return;
            leaseEnd = renewed.getTime();
          }
          const outcome = await this.attempts.run(lane, d, secrets);
          if (outcome.disabled) return;
        }
      }
    } finally {
      await this.repo.releaseLane(lane.id, owner);
    }
  }
}
