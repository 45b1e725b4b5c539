import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  commsSubjects,
  CreateCallRequest,
  InboundWebhook,
  ListMessagesRequest,
  MessageIdRequest,
  SendEmailRequest,
  SendSmsRequest,
} from '@app/contracts';

import { CallbacksService } from '../callbacks/callbacks.service';
import { MessagesQuery } from '../log/messages.query';
import { CommsService } from './send.service';

/** NATS handlers of the comms service: validate (global pipe), delegate. */
@Controller()
export class CommsController {
  constructor(
    private readonly comms: CommsService,
    private readonly callbacks: CallbacksService,
    private readonly messages: MessagesQuery,
  ) {}

  @MessagePattern(commsSubjects.sendEmail)
  sendEmail(@Payload() req: SendEmailRequest) {
    return this.comms.sendEmail(req);
  }

  @MessagePattern(commsSubjects.sendSms)
  sendSms(@Payload() req: SendSmsRequest) {
    return this.comms.sendSms(req);
  }

  @MessagePattern(commsSubjects.createCall)
  call(@Payload() req: CreateCallRequest) {
    return this.comms.call(req);
  }

  @MessagePattern(commsSubjects.getMessage)
  get(@Payload() req: MessageIdRequest) {
    return this.messages.get(req.id);
  }

  @MessagePattern(commsSubjects.listMessages)
  list(@Payload() req: ListMessagesRequest) {
    return this.messages.list(req);
  }

  @MessagePattern(commsSubjects.receiveWebhook)
  webhook(@Payload() req: InboundWebhook) {
    return this.callbacks.receive(req);
  }
}
