import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { CreateLeadRequest, LeadEventRequest, affiliatesSubjects as S } from '@app/contracts';

import { LeadsService } from './leads.service';

/** NATS handlers of the intake through the API: leads and their events. */
@Controller()
export class IntakeController {
  constructor(private readonly leads: LeadsService) {}

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
}
