import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { eventSubjects, type EndpointDisabledEvent } from '@app/contracts';
import { OutboxWriter } from '@app/messaging';
import { LOGGER, SERVICE_CONFIG } from '@app/runtime';

import type { AffiliatesConfig } from '../affiliates.config';
import { AffiliatesMetrics } from '../affiliates.metrics';
import { DeliveriesRepository, type AttemptRecord, type DueDelivery, type LaneRow } from './deliveries.repository';
import { RetryPolicy } from './retry-policy';
import { signatureHeaders } from './signing';
import { WebhookSender, type SendResult } from './webhook-sender';

export interface AttemptOutcome {
  ok: boolean;
  /** The affiliate was disabled by this attempt (410, or the failure streak ran out). */
  disabled: boolean;
  /** The lane's lease was lost during the attempt: nothing was recorded, the next owner sends the batch. */
  abandoned?: boolean;
}

/** One attempt of one batch: sign, POST, log the attempt, then schedule, give up or disable. */
@Injectable()
export class AttemptService {
  constructor(
    private readonly repo: DeliveriesRepository,
    private readonly sender: WebhookSender,
    private readonly retry: RetryPolicy,
    private readonly outbox: OutboxWriter,
    private readonly metrics: AffiliatesMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: AffiliatesConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `leaseLost` aborts the POST when the lane's lease is lost. */
  async run(lane: LaneRow, d: DueDelivery, secrets: string[], leaseLost?: AbortSignal): Promise<AttemptOutcome> {
    const headers = signatureHeaders(d.id, Math.floor(Date.now() / 1000), d.body, secrets);
    const result = await this.sender.send(lane.webhook_url, d.body, headers, leaseLost);
    if (!result.ok && leaseLost?.aborted) {
      // another replica may already own the lane and be sending this batch: a failure written now
      // would reschedule its work. A success is still recorded below (the receiver has the batch).
      this.metrics.attempts.inc({ outcome: 'abandoned' });
      return { ok: false, disabled: false, abandoned: true };
    }
    const outcome = result.ok
      ? 'success'
      : result.statusCode
        ? `http_${Math.floor(result.statusCode / 100)}xx`
        : 'error';
    this.metrics.attempts.inc({ outcome });
    this.metrics.attemptDuration.observe({ outcome }, result.latencyMs / 1000);
    const record: AttemptRecord = {
      deliveryId: d.id,
      affiliateId: lane.id,
      attempt: d.attempts + 1,
      event: d.event,
      leadCount: d.lead_count,
      success: result.ok,
      manual: d.manual_pending,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      snippet: result.snippet,
    };
    if (result.ok) {
      await this.repo.recordSuccess(record, lane.failing_since !== null);
      lane.failing_since = null;
      return { ok: true, disabled: false };
    }
    return { ok: false, disabled: await this.recordFailure(lane, d, record, result) };
  }

  private async recordFailure(
    lane: LaneRow,
    d: DueDelivery,
    record: AttemptRecord,
    result: SendResult,
  ): Promise<boolean> {
    const nextInMs = this.retry.delayAfter(record.attempt, result.retryAfterMs);
    return this.repo.transaction(async (m) => {
      const failingSince = await this.repo.recordFailure(m, record, nextInMs, d.delivered_at !== null);
      lane.failing_since = failingSince;
      const reason = result.gone
        ? 'the endpoint answered 410 Gone'
        : Date.now() - failingSince.getTime() >= this.config.AFFILIATE_DISABLE_AFTER_MS
          ? `only failures since ${failingSince.toISOString()} (last: ${result.error})`
          : null;
      if (!reason) return false;
      const disabledAt = await this.repo.disable(m, lane.id, reason);
      if (!disabledAt) return true;
      const event: EndpointDisabledEvent = { affiliate_id: lane.id, reason, disabled_at: disabledAt.toISOString() };
      await this.outbox.add(m, eventSubjects.affiliatesEndpointDisabled, event);
      this.logger.warn({ affiliate_id: lane.id, reason }, 'affiliate endpoint disabled');
      return true;
    });
  }
}
