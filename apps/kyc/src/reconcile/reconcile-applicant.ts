import { createHash, randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import type { KycApplicantDetails, KycReview } from '@app/connectors';

import { KycProviders } from '../connectors/kyc-providers';
import { ApplyKycDecision } from '../decisions/apply-decision';
import { orderingTime } from '../decisions/decision';
import { EventsRepository } from '../records/events.repository';
import type { ReconcileCandidate } from '../records/records.repository';

const REVIEW_OUTCOMES = new Set(['approved', 'rejected', 'resubmission_requested']);

/**
 * One applicant awaiting a decision, polled from its provider: a decision the webhooks missed is
 * recorded (source `reconciliation`) and applied like any other event. True when one was applied.
 */
@Injectable()
export class ReconcileApplicant {
  constructor(
    private readonly providers: KycProviders,
    private readonly events: EventsRepository,
    private readonly apply: ApplyKycDecision,
  ) {}

  async execute(c: ReconcileCandidate): Promise<boolean> {
    const provider = await this.providers.byKey(c.provider);
    const review = await provider.port.fetchReview(provider.config, c.provider_id);
    if (!review.status || review.status === c.status) return false;
    const details = REVIEW_OUTCOMES.has(review.status)
      ? await provider.port.fetchDetails(provider.config, c.provider_id).catch(() => null)
      : null;
    return this.record(c, review, details);
  }

  private record(c: ReconcileCandidate, review: KycReview, details: KycApplicantDetails | null): Promise<boolean> {
    const payload = {
      reviewStatus: review.providerStatus,
      status: review.status,
      rejectLabels: review.rejectLabels,
      reviewDate: review.occurredAt,
    };
    const eventKey = `reconcile:${createHash('sha256')
      .update(`${c.provider_id}|${JSON.stringify(payload)}`)
      .digest('hex')}`;
    const occurredAt = orderingTime(review.occurredAt, new Date());
    const id = randomUUID();
    return this.events.transaction(async (m) => {
      const inserted = await this.events.record(m, {
        id,
        provider: c.provider,
        eventKey,
        source: 'reconciliation',
        eventType: 'reconciliation',
        providerId: c.provider_id,
        customerRef: c.customer_id,
        customerId: c.customer_id,
        status: review.status,
        providerStatus: review.providerStatus,
        rejectLabels: review.rejectLabels,
        needsDetails: false,
        occurredAt,
        payload,
      });
      if (!inserted) return false;
      const applied = await this.apply.execute(m, {
        eventId: id,
        source: 'reconciliation',
        provider: c.provider,
        providerId: c.provider_id,
        customerId: c.customer_id,
        status: review.status,
        providerStatus: review.providerStatus,
        rejectLabels: review.status && REVIEW_OUTCOMES.has(review.status) ? review.rejectLabels : null,
        occurredAt,
        details,
      });
      return applied.outcome === 'applied';
    });
  }
}
