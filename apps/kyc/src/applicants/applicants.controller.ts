import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { CreateApplicantRequest, kycSubjects } from '@app/contracts';

import { ApplicantsService } from './applicants.service';

@Controller()
export class ApplicantsController {
  constructor(private readonly applicants: ApplicantsService) {}

  @MessagePattern(kycSubjects.createApplicant)
  create(@Payload() req: CreateApplicantRequest) {
    return this.applicants.create(req);
  }
}
