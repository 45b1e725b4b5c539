import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { InboundWebhook, InternalKycWebhookRequest, kycSubjects } from '@app/contracts';

import { InternalWebhookService } from './internal-webhook.service';
import { WebhookIntakeService } from './webhook-intake.service';

@Controller()
export class WebhooksController {
  constructor(
    private readonly intake: WebhookIntakeService,
    private readonly internal: InternalWebhookService,
  ) {}

  @MessagePattern(kycSubjects.receiveWebhook)
  receive(@Payload() w: InboundWebhook) {
    return this.intake.receive(w);
  }

  @MessagePattern(kycSubjects.internalWebhook)
  internalFormat(@Payload() req: InternalKycWebhookRequest) {
    return this.internal.receive(req);
  }
}
