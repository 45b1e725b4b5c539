import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  eventSubjects,
  type GatesReevaluatedEvent,
  type GatesTrigger,
  type KycStatusChangedEvent,
  type KycStatusValue,
} from '@app/contracts';
import { OutboxWriter } from '@app/messaging';

import { allPassed, evaluateGates, sameGates, type GatePolicy } from '../gates/gates';
import { GATE_POLICY } from '../gates/gates.policy';
import { EventsRepository, type EventOutcome } from '../records/events.repository';
import type { KycRecordEntity } from '../records/kyc.entities';
import { RecordsRepository } from '../records/records.repository';
import { orderingTime, type KycDecision } from './decision';

const REVIEW_OUTCOMES: ReadonlySet<KycStatusValue> = new Set(['approved', 'rejected', 'resubmission_requested']);
const DETAIL_FIELDS = ['docType', 'docCountry', 'birthDate', 'docExpiry'] as const;

export interface AppliedDecision {
  outcome: EventOutcome;
  customerId: string | null;
  status: KycStatusValue | null;
}

/**
 * Applies one recorded event to the customer's record, in the caller's transaction: the same code for
 * SumSub's webhooks, the internal format and reconciliation. An event older than the latest applied
 * one stays in history only; a status change announces evt.kyc.status.changed; an approval, and any
 * later change of an approved customer, announces the re-evaluated gates.
 */
@Injectable()
export class ApplyKycDecision {
  constructor(
    private readonly records: RecordsRepository,
    private readonly events: EventsRepository,
    private readonly outbox: OutboxWriter,
    @Inject(GATE_POLICY) private readonly policy: GatePolicy,
  ) {}

  async execute(m: EntityManager, d: KycDecision): Promise<AppliedDecision> {
    const found = await this.lockRecord(m, d);
    if (!found) return this.finish(m, d, null, 'unmatched', null);
    const { record, created } = found;
    // Callers clamp to the event's receipt; this clamp to the present is the last line, so that no
    // caller can store a time that outranks every decision to come. The record's own time is read
    // clamped to its last save in the same way, which also releases a record frozen before clamping.
    const at = orderingTime(d.occurredAt, new Date());
    record.lastEventAt = record.lastEventAt && orderingTime(record.lastEventAt, record.updatedAt);
    if (record.lastEventAt && at < record.lastEventAt)
      return this.finish(m, d, record.customerId, 'stale', record.status);

    const before = { ...record, gates: { ...record.gates } };
    const previousStatus = created ? null : record.status;
    this.merge(record, d, at);
    record.gates = evaluateGates(record, this.policy);
    const statusChanged = created || before.status !== record.status;
    const detailsChanged =
      DETAIL_FIELDS.some((f) => before[f] !== record[f]) || before.rejectLabels.join() !== record.rejectLabels.join();
    const gatesChanged = !sameGates(before.gates, record.gates);
    await this.records.save(m, record);

    if (statusChanged)
      await this.outbox.add(m, eventSubjects.kycStatusChanged, this.statusEvent(record, previousStatus, d));
    const trigger = this.gatesTrigger(previousStatus, record.status, statusChanged, detailsChanged || gatesChanged);
    if (trigger)
      await this.outbox.add(
        m,
        eventSubjects.complianceGatesReevaluated,
        this.gatesEvent(record, previousStatus, trigger),
      );
    const changed = statusChanged || detailsChanged || gatesChanged || before.providerStatus !== record.providerStatus;
    return this.finish(m, d, record.customerId, changed ? 'applied' : 'no_change', record.status);
  }

  private merge(r: KycRecordEntity, d: KycDecision, at: Date): void {
    if (d.status) r.status = d.status;
    if (d.providerStatus) r.providerStatus = d.providerStatus;
    if (d.providerId && !r.providerId) r.providerId = d.providerId;
    for (const f of DETAIL_FIELDS) {
      const v = d.details?.[f];
      if (v !== undefined && v !== null) (r as unknown as Record<string, unknown>)[f] = v;
    }
    // a review outcome replaces the labels (an approval clears them); other events leave them
    if (d.rejectLabels) r.rejectLabels = d.rejectLabels;
    else if (d.status && REVIEW_OUTCOMES.has(d.status)) r.rejectLabels = [];
    r.lastEventAt = r.lastEventAt && r.lastEventAt > at ? r.lastEventAt : at;
  }

  private gatesTrigger(
    previous: KycStatusValue | null,
    next: KycStatusValue,
    statusChanged: boolean,
    otherChange: boolean,
  ): GatesTrigger | null {
    if (next === 'approved' && previous !== 'approved') return 'kyc_approved';
    if (previous !== 'approved') return null;
    if (statusChanged) return 'kyc_status_changed';
    return otherChange ? 'kyc_details_changed' : null;
  }

  /** The customer's record, created as pending when the event names a customer we have not seen. */
  private async lockRecord(
    m: EntityManager,
    d: KycDecision,
  ): Promise<{ record: KycRecordEntity; created: boolean } | null> {
    let customerId = d.customerId;
    if (!customerId && d.providerId)
      customerId = (await this.records.findByProviderId(d.provider, d.providerId, m))?.customerId ?? null;
    if (!customerId) return null;
    const existing = await this.records.lock(m, customerId);
    if (existing) return { record: existing, created: false };
    const pending = evaluateGates(
      { status: 'pending', docType: null, docCountry: null, docExpiry: null, birthDate: null, rejectLabels: [] },
      this.policy,
    );
    const created = await this.records.insertPending(m, {
      customerId,
      provider: d.provider,
      providerId: d.providerId,
      gates: pending,
    });
    const record = await this.records.lock(m, customerId);
    return record ? { record, created } : null;
  }

  private async finish(
    m: EntityManager,
    d: KycDecision,
    customerId: string | null,
    outcome: EventOutcome,
    status: KycStatusValue | null,
  ) {
    await this.events.markProcessed(m, d.eventId, customerId, outcome);
    return { outcome, customerId, status };
  }

  private statusEvent(r: KycRecordEntity, previous: KycStatusValue | null, d: KycDecision): KycStatusChangedEvent {
    return {
      customer_id: r.customerId,
      provider: r.provider,
      provider_id: r.providerId,
      status: r.status,
      previous_status: previous,
      provider_status: r.providerStatus,
      doc_type: r.docType,
      doc_country: r.docCountry,
      reject_labels: r.rejectLabels,
      source: d.source,
      at: r.updatedAt.toISOString(),
    };
  }

  private gatesEvent(
    r: KycRecordEntity,
    previous: KycStatusValue | null,
    trigger: GatesTrigger,
  ): GatesReevaluatedEvent {
    return {
      customer_id: r.customerId,
      gates: r.gates,
      all_passed: allPassed(r.gates),
      trigger,
      status: r.status,
      previous_status: previous,
      provider: r.provider,
      at: r.updatedAt.toISOString(),
    };
  }
}
