import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  AffiliateIdRequest,
  ListAffiliatesRequest,
  affiliatesSubjects as S,
  UpsertAffiliateRequest,
} from '@app/contracts';

import { AffiliatesService } from './affiliates.service';

/** NATS handlers of the affiliates themselves: validate (global pipe), delegate. */
@Controller()
export class AffiliatesController {
  constructor(private readonly affiliates: AffiliatesService) {}

  @MessagePattern(S.upsertAffiliate)
  upsert(@Payload() req: UpsertAffiliateRequest) {
    return this.affiliates.upsert(req);
  }

  @MessagePattern(S.getAffiliate)
  get(@Payload() req: AffiliateIdRequest) {
    return this.affiliates.get(req.affiliate_id);
  }

  @MessagePattern(S.listAffiliates)
  list(@Payload() req: ListAffiliatesRequest) {
    return this.affiliates.list(req);
  }
}
