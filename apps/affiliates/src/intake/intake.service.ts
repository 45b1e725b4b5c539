import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  eventSubjects,
  type IntakeEventName,
  type IntakeIgnoredReason,
  type LeadEventAccepted,
  type LeadEventName,
  type LeadFtdEvent,
} from '@app/contracts';
import { OutboxWriter } from '@app/messaging';

import { AffiliatesMetrics } from '../affiliates.metrics';
import { FxRates } from '../thresholds/fx-rates';
import { ThresholdsRepository } from '../thresholds/thresholds.repository';
import { isDepositAmount, judgeDeposit, type Threshold } from './ftd-rule';
import { LeadsRepository, type LeadRow, type NewLeadEvent } from './leads.repository';

/** One lead event as intake sees it, from the API or from a payment event. */
export interface IntakeEvent {
  customer_id: string;
  event: IntakeEventName;
  /** Decimal string; deposits only. */
  amount?: string;
  currency?: string;
  occurred_at: Date;
}

/**
 * Turns lead events into queued affiliate events: the FTD rule, and the permanent suppression after
 * lead.ftd. The leads of a batch are row-locked for its transaction and `ftd_at` is written in it, so
 * replicas and restarts agree on which event was the FTD and that nothing follows it.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly leads: LeadsRepository,
    private readonly thresholds: ThresholdsRepository,
    private readonly fx: FxRates,
    private readonly metrics: AffiliatesMetrics,
    private readonly outbox: OutboxWriter,
  ) {}

  async recordOne(event: IntakeEvent): Promise<LeadEventAccepted> {
    return (await this.leads.transaction((m) => this.record([event], m)))[0];
  }

  /** Records the events in order, in the caller's transaction. */
  async record(events: IntakeEvent[], m: EntityManager): Promise<LeadEventAccepted[]> {
    const leads = new Map(
      (await this.leads.lockLeads(m, [...new Set(events.map((e) => e.customer_id))])).map((l) => [l.customer_id, l]),
    );
    const thresholds = new Map<string, Threshold>((await this.thresholds.all(m)).map((t) => [t.country, t]));
    const rows: NewLeadEvent[] = [];
    const ftds: { lead: LeadRow; at: Date; amount: string; currency: string }[] = [];
    let unattributed = 0;
    let nonPositive = 0;
    const results = events.map((e): LeadEventAccepted => {
      // before attribution: such an event is wrong whoever the customer is (the API refuses it with a 400)
      if (e.event === 'lead.deposit' && !isDepositAmount(e.amount)) {
        nonPositive++;
        return { outcome: 'ignored' };
      }
      const lead = leads.get(e.customer_id);
      if (!lead) {
        unattributed++;
        return { outcome: 'ignored' };
      }
      let name: LeadEventName = e.event;
      let unconvertible = false;
      if (e.event === 'lead.deposit' && !lead.ftd_at) {
        const verdict = judgeDeposit(e.amount!, e.currency!, lead.country, thresholds, this.fx);
        if (verdict.kind === 'ftd') name = 'lead.ftd';
        else if (verdict.kind === 'deposit') unconvertible = verdict.unconvertible;
      }
      const status = lead.ftd_at ? 'suppressed' : 'pending';
      rows.push({
        affiliate_id: lead.affiliate_id,
        customer_id: lead.customer_id,
        event: name,
        item: itemJson(name, lead, e),
        status,
        unconvertible,
      });
      if (name === 'lead.ftd') {
        lead.ftd_at = e.occurred_at;
        ftds.push({ lead, at: e.occurred_at, amount: e.amount!, currency: e.currency! });
      }
      return status === 'suppressed'
        ? { outcome: 'suppressed', event: name }
        : { outcome: 'queued', event: name, ...(unconvertible ? { unconvertible } : {}) };
    });
    await this.leads.insertEvents(m, rows);
    await this.leads.markFtd(
      m,
      ftds.map((f) => f.lead.customer_id),
      ftds.map((f) => f.at),
    );
    await this.leads.countUnattributed(m, unattributed);
    await this.countIgnored(m, 'non_positive_amount', nonPositive);
    if (unattributed) this.metrics.ignored.inc({ reason: 'unattributed' }, unattributed);
    await this.outbox.addMany(
      m,
      eventSubjects.affiliatesLeadFtd,
      ftds.map((f): LeadFtdEvent => ({
        affiliate_id: f.lead.affiliate_id,
        affiliate_lead_id: f.lead.affiliate_lead_id,
        customer_id: f.lead.customer_id,
        country: f.lead.country,
        amount: Number(f.amount),
        currency: f.currency,
        ftd_at: f.at.toISOString(),
      })),
    );
    for (const r of results) this.metrics.intake.inc({ outcome: r.outcome === 'queued' ? r.event! : r.outcome });
    return results;
  }

  /** Events ignored for a reason other than attribution: in the metric, and in the intake stats (the caller's transaction). */
  async countIgnored(m: EntityManager, reason: IntakeIgnoredReason, n: number): Promise<void> {
    if (!n) return;
    await this.leads.countIgnored(m, reason, n);
    this.metrics.ignored.inc({ reason }, n);
  }
}

/** The lead's entry in a batch body; each event carries its own time field. */
function itemJson(name: LeadEventName, lead: LeadRow, e: IntakeEvent): string {
  const at = e.occurred_at.toISOString();
  const id = lead.affiliate_lead_id;
  switch (name) {
    case 'lead.ftd':
      return JSON.stringify({ affiliate_lead_id: id, amount: Number(e.amount), currency: e.currency, ftd_at: at });
    case 'lead.deposit':
      return JSON.stringify({
        affiliate_lead_id: id,
        amount: Number(e.amount),
        currency: e.currency,
        deposited_at: at,
      });
    case 'lead.registered':
      return JSON.stringify({ affiliate_lead_id: id, registered_at: at });
    case 'lead.kyc_approved':
      return JSON.stringify({ affiliate_lead_id: id, kyc_approved_at: at });
  }
}
