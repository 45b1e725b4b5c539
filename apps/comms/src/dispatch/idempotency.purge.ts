import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { LOGGER, SERVICE_CONFIG } from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import type { CommsConfig } from '../comms.config';
import { IdempotencyRepository } from './idempotency.repository';

/** The purge runs at least hourly, and as often as the TTL when that is shorter. */
const MAX_INTERVAL_MS = 3_600_000;

/**
 * Forgets Idempotency-Keys older than COMMS_IDEMPOTENCY_TTL_MS, so the table does not grow without
 * bound. Safe in every replica: a DELETE by age, whoever runs it first. An expired key that has not
 * been purged yet is already treated as free by the claim.
 */
@Injectable()
export class IdempotencyPurgeJob implements BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly repo: IdempotencyRepository,
    @Inject(SERVICE_CONFIG) private readonly config: CommsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(
      () => void this.runOnce(),
      Math.min(this.config.COMMS_IDEMPOTENCY_TTL_MS, MAX_INTERVAL_MS),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; overlapping calls share it. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const purged = await this.repo.purgeOlderThan(this.config.COMMS_IDEMPOTENCY_TTL_MS);
      if (purged) this.logger.debug({ purged }, 'expired idempotency keys purged');
    } catch (err) {
      this.logger.warn({ err }, 'idempotency key purge failed; retried on the next pass');
    }
  }
}
