import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { CustomerKycRequest, kycSubjects } from '@app/contracts';

import { RecordsService } from './records.service';

@Controller()
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @MessagePattern(kycSubjects.getCustomer)
  get(@Payload() req: CustomerKycRequest) {
    return this.records.get(req.customer_id);
  }
}
