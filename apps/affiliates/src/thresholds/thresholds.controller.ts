import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { affiliatesSubjects as S, SetThresholdRequest } from '@app/contracts';

import { ThresholdsService } from './thresholds.service';

/** NATS handlers of the FTD thresholds. */
@Controller()
export class ThresholdsController {
  constructor(private readonly thresholds: ThresholdsService) {}

  @MessagePattern(S.setThreshold)
  setThreshold(@Payload() req: SetThresholdRequest) {
    return this.thresholds.set(req);
  }

  @MessagePattern(S.listThresholds)
  listThresholds() {
    return this.thresholds.list();
  }
}
