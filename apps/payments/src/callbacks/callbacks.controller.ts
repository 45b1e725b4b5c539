import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { InboundWebhook, paymentsSubjects } from '@app/contracts';

import { PaymentCallbacks } from './payment-callbacks';

/** Provider callbacks forwarded raw by the gateway. */
@Controller()
export class CallbacksController {
  constructor(private readonly callbacks: PaymentCallbacks) {}

  @MessagePattern(paymentsSubjects.webhooksReceive)
  receive(@Payload() inbound: InboundWebhook) {
    return this.callbacks.execute(inbound);
  }
}
