import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { commsSubjects, InboundWebhook } from '@app/contracts';

import { CallbacksService } from './callbacks.service';

/** NATS handler of the providers' delivery callbacks. */
@Controller()
export class CallbacksController {
  constructor(private readonly callbacks: CallbacksService) {}

  @MessagePattern(commsSubjects.receiveWebhook)
  webhook(@Payload() req: InboundWebhook) {
    return this.callbacks.receive(req);
  }
}
