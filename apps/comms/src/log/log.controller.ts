import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import { commsSubjects, ListMessagesRequest, MessageIdRequest } from '@app/contracts';

import { MessagesQuery } from './messages.query';

/** NATS handlers of the message log. */
@Controller()
export class LogController {
  constructor(private readonly messages: MessagesQuery) {}

  @MessagePattern(commsSubjects.getMessage)
  get(@Payload() req: MessageIdRequest) {
    return this.messages.get(req.id);
  }

  @MessagePattern(commsSubjects.listMessages)
  list(@Payload() req: ListMessagesRequest) {
    return this.messages.list(req);
  }
}
