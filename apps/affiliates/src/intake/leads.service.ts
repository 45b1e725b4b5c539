import { Injectable } from '@nestjs/common';

import type {
  CreateLeadRequest,
  FieldError,
  IntakeStatsView,
  LeadEventAccepted,
  LeadEventRequest,
  LeadView,
} from '@app/contracts';

import { AffiliateErrors } from '../affiliates.errors';
import { AffiliatesRepository } from '../affiliates/affiliates.repository';
import { IntakeService } from './intake.service';
import { LeadsRepository, type LeadRow } from './leads.repository';

/** The API side of intake: attributions and lead events posted by the CRM. */
@Injectable()
export class LeadsService {
  constructor(
    private readonly leads: LeadsRepository,
    private readonly affiliates: AffiliatesRepository,
    private readonly intake: IntakeService,
  ) {}

  /** Attributes a customer to an affiliate's lead; the same attribution again is a no-op. */
  async create(req: CreateLeadRequest): Promise<LeadView> {
    if (!(await this.affiliates.find(req.affiliate_id))) throw AffiliateErrors.unknownAffiliate(req.affiliate_id);
    const lead = await this.leads.attribute({ ...req, country: req.country.toUpperCase() });
    if (lead.affiliate_id !== req.affiliate_id || lead.affiliate_lead_id !== req.affiliate_lead_id) {
      throw AffiliateErrors.leadTaken(req.customer_id);
    }
    return toView(lead);
  }

  /** Platform-wide intake counters: the events ignored for want of an attribution, and for other reasons. */
  async intakeStats(): Promise<IntakeStatsView> {
    return {
      unattributed_events: await this.leads.unattributedCount(),
      ignored_events: await this.leads.ignoredCounts(),
    };
  }

  async record(req: LeadEventRequest): Promise<LeadEventAccepted> {
    const errors: FieldError[] = [];
    if (req.event === 'lead.deposit') {
      if (req.amount === undefined) errors.push({ field: 'amount', message: 'amount is required for lead.deposit' });
      if (req.currency === undefined)
        errors.push({ field: 'currency', message: 'currency is required for lead.deposit' });
    }
    if (errors.length) throw AffiliateErrors.invalid(errors);
    return this.intake.recordOne({
      customer_id: req.customer_id,
      event: req.event,
      amount: req.amount === undefined ? undefined : String(req.amount),
      currency: req.currency?.toUpperCase(),
      occurred_at: req.occurred_at ? new Date(req.occurred_at) : new Date(),
    });
  }
}

function toView(l: LeadRow): LeadView {
  return {
    affiliate_id: l.affiliate_id,
    affiliate_lead_id: l.affiliate_lead_id,
    customer_id: l.customer_id,
    country: l.country,
    created_at: l.created_at.toISOString(),
  };
}
