import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { LOGGER, SERVICE_CONFIG } from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import type { AffiliatesConfig } from '../affiliates.config';
import { AffiliatesMetrics } from '../affiliates.metrics';
import { BatchesRepository } from './batches.repository';
import { DeliveryLanes } from './delivery-lanes';

const FLUSH_CONCURRENCY = 4;

/**
 * Flushes pending events into batches at each multiple of AFFILIATE_BATCH_INTERVAL_MS (database clock,
 * so every replica sees the same slots). Every replica runs it; the per-affiliate slot claim makes each
 * flush happen once.
 */
@Injectable()
export class FlushScheduler implements BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private flushedSlot = -1;

  constructor(
    private readonly batches: BatchesRepository,
    private readonly lanes: DeliveryLanes,
    private readonly metrics: AffiliatesMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: AffiliatesConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    const tickMs = Math.max(50, Math.min(1000, Math.floor(this.config.AFFILIATE_BATCH_INTERVAL_MS / 10)));
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => {
        this.running = null;
      });
    }, tickMs);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Flushes every affiliate due in the current slot; returns the number of batches created. */
  async tick(): Promise<number> {
    const interval = this.config.AFFILIATE_BATCH_INTERVAL_MS;
    let created = 0;
    try {
      const slot = await this.batches.currentSlot(interval);
      if (slot === this.flushedSlot) return 0;
      const batchAt = new Date(slot * interval).toISOString().replace(/\.000Z$/, 'Z');
      const due = await this.batches.affiliatesDue(slot);
      // a few affiliates at a time, each handed to its lane as soon as it is batched
      const worker = async () => {
        for (let id = due.shift(); id !== undefined; id = due.shift()) {
          const made = await this.batches.flush(id, slot, batchAt);
          for (const b of made) this.metrics.batches.inc({ event: b.event });
          created += made.length;
          if (made.length) this.lanes.wake();
        }
      };
      await Promise.all(Array.from({ length: FLUSH_CONCURRENCY }, worker));
      this.flushedSlot = slot;
    } catch (err) {
      this.logger.warn({ err }, 'flush failed; will retry');
    }
    return created;
  }
}
