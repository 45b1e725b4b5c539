import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';

import { ConnectorError } from '@app/connectors';
import { LOGGER, SERVICE_CONFIG } from '@app/runtime';

import { KycProviders } from '../connectors/kyc-providers';
import { ApplyKycDecision } from '../decisions/apply-decision';
import { orderingTime, type DecisionDetails } from '../decisions/decision';
import type { KycConfig } from '../kyc.config';
import { EventsRepository } from '../records/events.repository';
import type { KycEventEntity, KycRecordEntity } from '../records/kyc.entities';
import { RecordsRepository } from '../records/records.repository';

const REVIEW_OUTCOMES = new Set(['approved', 'rejected', 'resubmission_requested']);

/** What the fetch before the transaction found: the applicant's document details, when it was fetched. */
export interface PreparedWebhook {
  details: DecisionDetails | null;
}

/**
 * The asynchronous half of a provider webhook, in two steps: `prepare` fetches the applicant where the
 * event may have changed its documents (webhooks carry no personal data), outside any transaction, so
 * no Postgres connection or row lock is held while the provider answers; `execute` then applies the
 * decision in the consumer's short transaction. A failing fetch is retried (the durable consumer's
 * retry); after KYC_ENRICH_MAX_ATTEMPTS the decision is applied without it.
 */
@Injectable()
export class ProcessWebhookEvent {
  constructor(
    private readonly events: EventsRepository,
    private readonly records: RecordsRepository,
    private readonly providers: KycProviders,
    private readonly apply: ApplyKycDecision,
    @Inject(SERVICE_CONFIG) private readonly config: KycConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Reads only (it may run again for an event already processed); throws for a fetch to retry. */
  async prepare(eventId: string, attempt: number): Promise<PreparedWebhook> {
    const e = await this.events.get(eventId);
    if (!e || e.processedAt || !e.needsDetails || !e.providerId) return { details: null };
    if (await this.otherHolder(e)) return { details: null };
    if (await this.isStale(e, orderingTime(e.occurredAt, e.receivedAt))) return { details: null };
    return { details: await this.details(e, attempt) };
  }

  async execute(m: EntityManager, eventId: string, prepared: PreparedWebhook): Promise<void> {
    const e = await this.events.find(m, eventId);
    if (!e || e.processedAt) return;
    if (await this.applicantOfAnother(m, e)) return;
    const occurredAt = orderingTime(e.occurredAt, e.receivedAt);
    const details = prepared.details;
    await this.apply.execute(m, {
      eventId: e.id,
      source: e.source,
      provider: e.provider,
      providerId: e.providerId,
      customerId: e.customerId,
      status: e.status,
      providerStatus: e.providerStatus,
      rejectLabels: e.status && REVIEW_OUTCOMES.has(e.status) ? e.rejectLabels : null,
      occurredAt,
      details,
    });
  }

  /**
   * SumSub sent a decision for customer X about an applicant we hold for customer Y: applying it would
   * break the one-applicant-per-record rule on every delivery. The event is kept in history with that
   * outcome (and acked) for an operator to look at; neither record changes.
   */
  private async applicantOfAnother(m: EntityManager, e: KycEventEntity): Promise<boolean> {
    const holder = await this.otherHolder(e, m);
    if (!holder) return false;
    this.logger.warn(
      { event_id: e.id, provider: e.provider, customer_id: e.customerId, applicant_customer_id: holder.customerId },
      'webhook names an applicant that belongs to another customer; recorded as a conflict, not applied',
    );
    await this.events.markProcessed(m, e.id, null, 'conflict');
    return true;
  }

  /** The record of another customer that holds the event's applicant, if any. */
  private async otherHolder(e: KycEventEntity, m?: EntityManager): Promise<KycRecordEntity | null> {
    if (!e.customerId || !e.providerId) return null;
    const holder = await this.records.findByProviderId(e.provider, e.providerId, m);
    return holder && holder.customerId !== e.customerId ? holder : null;
  }

  /** No fetch for an event that will only go to history. */
  private async isStale(e: KycEventEntity, occurredAt: Date): Promise<boolean> {
    const r = e.customerId
      ? await this.records.find(e.customerId)
      : await this.records.findByProviderId(e.provider, e.providerId!);
    return !!r?.lastEventAt && occurredAt < orderingTime(r.lastEventAt, r.updatedAt);
  }

  private async details(e: KycEventEntity, attempt: number): Promise<DecisionDetails | null> {
    try {
      const provider = await this.providers.byKey(e.provider);
      return await provider.port.fetchDetails(provider.config, e.providerId!);
    } catch (err) {
      const retryable = !(err instanceof ConnectorError) || err.retryable;
      if (retryable && attempt < this.config.KYC_ENRICH_MAX_ATTEMPTS) throw err;
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err), event_id: e.id, provider: e.provider, attempt },
        'applicant fetch failed; applying the decision without document details',
      );
      return null;
    }
  }
}
