import { createHash, randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { InternalKycWebhookReply, InternalKycWebhookRequest } from '@app/contracts';
import { canonical } from '@app/persistence';

import { ApplyKycDecision } from '../decisions/apply-decision';
import { EventsRepository } from '../records/events.repository';
import { RecordsRepository } from '../records/records.repository';

function labelsOf(req: InternalKycWebhookRequest): string[] | null {
  if (req.reject_labels) return req.reject_labels;
  const raw = req.raw_result ?? {};
  for (const candidate of [raw.reject_labels, raw.rejectLabels]) {
    if (Array.isArray(candidate) && candidate.every((l) => typeof l === 'string')) return candidate;
  }
  return null;
}

/**
 * The internal KYC format (`POST /webhooks/kyc`: other connectors, manual decisions): recorded in the same history and
 * applied through the same decision and gate code as SumSub's events, synchronously (no provider call).
 */
@Injectable()
export class InternalWebhookService {
  constructor(
    private readonly events: EventsRepository,
    private readonly records: RecordsRepository,
    private readonly apply: ApplyKycDecision,
  ) {}

  /**
   * With `event_id` the id de-duplicates, per customer: the senders of two customers' decisions may
   * number them alike (the key carries the customer; a key recorded before it did still counts).
   * Without it, a body is a duplicate only of the customer's latest internal decision (an immediate
   * retry); the same body after a different one is a new decision (approved, rejected, approved
   * again), so its key is made unique per occurrence.
   */
  async receive(req: InternalKycWebhookRequest): Promise<InternalKycWebhookReply> {
    const customerId = req.customer_id.toLowerCase();
    const occurredAt = req.occurred_at ? new Date(req.occurred_at) : new Date();
    const id = randomUUID();
    return this.events.transaction(async (m) => {
      await this.events.lockInternalDecisions(m, customerId);
      let eventKey = `id:${customerId}:${req.event_id}`;
      if (req.event_id) {
        if (await this.events.hasUnscopedInternalKey(m, req.provider, `id:${req.event_id}`, customerId))
          return this.duplicate(m, customerId);
      } else {
        const digest = `sha256:${createHash('sha256').update(canonical(req)).digest('hex')}`;
        const latest = await this.events.latestInternalDecisionKey(m, customerId);
        if (latest === digest || latest?.startsWith(`${digest}:`)) return this.duplicate(m, customerId);
        eventKey = `${digest}:${id}`;
      }
      const inserted = await this.events.record(m, {
        id,
        provider: req.provider,
        eventKey,
        source: 'internal',
        eventType: 'decision',
        providerId: req.provider_id ?? null,
        customerRef: customerId,
        customerId,
        status: req.status,
        providerStatus: req.status,
        rejectLabels: labelsOf(req) ?? [],
        needsDetails: false,
        occurredAt,
        payload: req,
      });
      if (!inserted) return this.duplicate(m, customerId);
      const applied = await this.apply.execute(m, {
        eventId: id,
        source: 'internal',
        provider: req.provider,
        providerId: req.provider_id ?? null,
        customerId,
        status: req.status,
        providerStatus: req.status,
        rejectLabels: labelsOf(req),
        occurredAt,
        details: {
          docType: req.doc_type,
          docCountry: req.doc_country?.toUpperCase(),
          birthDate: req.birth_date,
          docExpiry: req.doc_expiry,
        },
      });
      return { received: true, duplicate: false, customer_id: customerId, status: applied.status };
    });
  }

  private async duplicate(m: EntityManager, customerId: string): Promise<InternalKycWebhookReply> {
    const current = await this.records.find(customerId, m);
    return { received: true, duplicate: true, customer_id: customerId, status: current?.status ?? null };
  }
}
