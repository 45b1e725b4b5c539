import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { LOGGER, SERVICE_CONFIG } from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import { KycProviders } from '../connectors/kyc-providers';
import type { KycConfig } from '../kyc.config';
import { RecordsRepository } from '../records/records.repository';
import { ReconcileApplicant } from './reconcile-applicant';

/**
 * Every KYC_RECONCILE_INTERVAL_MS: applicants awaiting a decision for longer than
 * KYC_RECONCILE_PENDING_AGE_MS are polled from their provider, because SumSub retries a failed webhook
 * only four times. Safe in every replica: candidates are claimed with SKIP LOCKED.
 */
@Injectable()
export class ReconciliationJob implements BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly records: RecordsRepository,
    private readonly providers: KycProviders,
    private readonly reconcile: ReconcileApplicant,
    @Inject(SERVICE_CONFIG) private readonly config: KycConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  start(): Promise<void> {
    this.timer = setInterval(() => void this.runOnce(), this.config.KYC_RECONCILE_INTERVAL_MS);
    this.timer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns how many missed decisions it applied. Overlapping calls share the pass. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    let applied = 0;
    try {
      const due = await this.records.claimAwaitingDecision(
        this.config.KYC_RECONCILE_PENDING_AGE_MS,
        this.config.KYC_RECONCILE_BATCH,
      );
      for (const c of due.filter((x) => this.providers.hasPort(x.provider))) {
        try {
          if (await this.reconcile.execute(c)) applied++;
        } catch (err) {
          this.logger.warn(
            { err: err instanceof Error ? err.message : String(err), customer_id: c.customer_id, provider: c.provider },
            'reconciliation of an applicant failed; retried on a later pass',
          );
        }
      }
      if (applied) this.logger.info({ applied }, 'reconciliation applied missed KYC decisions');
    } catch (err) {
      this.logger.warn({ err }, 'reconciliation pass failed');
    }
    return applied;
  }
}
