import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  AffiliateIdRequest,
  CreateLeadRequest,
  LeadEventRequest,
  ListDeliveriesRequest,
  RedeliverRequest,
  affiliatesSubjects as S,
  SetThresholdRequest,
  UpsertAffiliateRequest,
} from '@app/contracts';

import { DeliveriesService } from '../delivery/deliveries.service';
import { LeadsService } from '../intake/leads.service';
import { ThresholdsService } from '../thresholds/thresholds.service';
import { AffiliatesService } from './affiliates.service';

/** NATS handlers of the affiliates service: validate (global pipe), delegate. */
@Controller()
export class AffiliatesController {
  constructor(
    private readonly affiliates: AffiliatesService,
    private readonly thresholds: ThresholdsService,
    private readonly leads: LeadsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  @MessagePattern(S.upsertAffiliate)
  upsert(@Payload() req: UpsertAffiliateRequest) {
    return this.affiliates.upsert(req);
  }

  @MessagePattern(S.getAffiliate)
  get(@Payload() req: AffiliateIdRequest) {
    return this.affiliates.get(req.affiliate_id);
  }

  @MessagePattern(S.setThreshold)
  setThreshold(@Payload() req: SetThresholdRequest) {
    return this.thresholds.set(req);
  }

  @MessagePattern(S.listThresholds)
  listThresholds() {
    return this.thresholds.list();
  }

  @MessagePattern(S.createLead)
  createLead(@Payload() req: CreateLeadRequest) {
    return this.leads.create(req);
  }

  @MessagePattern(S.recordEvent)
  recordEvent(@Payload() req: LeadEventRequest) {
    return this.leads.record(req);
  }

  @MessagePattern(S.intakeStats)
  intakeStats() {
    return this.leads.intakeStats();
  }

  @MessagePattern(S.stats)
  stats(@Payload() req: AffiliateIdRequest) {
    return this.deliveries.statsOf(req.affiliate_id);
  }

  @MessagePattern(S.listDeliveries)
  listDeliveries(@Payload() req: ListDeliveriesRequest) {
    return this.deliveries.list(req.affiliate_id, req.limit);
  }

  @MessagePattern(S.redeliver)
  redeliver(@Payload() req: RedeliverRequest) {
    return this.deliveries.redeliver(req.affiliate_id, req.delivery_id);
  }
}
