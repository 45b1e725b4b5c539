import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { AffiliateIdRequest, ListDeliveriesRequest, RedeliverRequest, affiliatesSubjects as S } from '@app/contracts';

import { DeliveriesService } from './deliveries.service';

/** NATS handlers of the deliveries: stats, the delivery log, a redelivery. */
@Controller()
export class DeliveryController {
  constructor(private readonly deliveries: DeliveriesService) {}

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
