import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { commsSubjects, CreateCallRequest, SendEmailRequest, SendSmsRequest } from '@app/contracts';

import { SendService } from './send.service';

/** NATS handlers of the sends: validate (global pipe), delegate. */
@Controller()
export class DispatchController {
  constructor(private readonly send: SendService) {}

  @MessagePattern(commsSubjects.sendEmail)
  sendEmail(@Payload() req: SendEmailRequest) {
    return this.send.sendEmail(req);
  }

  @MessagePattern(commsSubjects.sendSms)
  sendSms(@Payload() req: SendSmsRequest) {
    return this.send.sendSms(req);
  }

  @MessagePattern(commsSubjects.createCall)
  call(@Payload() req: CreateCallRequest) {
    return this.send.call(req);
  }
}
