import { Module } from '@nestjs/common';

import { ConnectorsModule } from '@app/connectors';

import { CallbacksService } from './messages/callbacks.service';
import { CommsController } from './messages/comms.controller';
import { CommsService } from './messages/comms.service';
import { DispatchService } from './messages/dispatch.service';
import { IdempotencyPurgeJob } from './messages/idempotency.purge';
import { IdempotencyRepository } from './messages/idempotency.repository';
import { IdempotencyService } from './messages/idempotency.service';
import { MessagesQuery } from './messages/messages.query';
import { MessagesRepository } from './messages/messages.repository';
import { StatusRecorder } from './messages/status.recorder';

/** The comms service's features: dispatch (email, SMS, calls), delivery callbacks, the message log. */
@Module({
  imports: [ConnectorsModule.forService()],
  controllers: [CommsController],
  providers: [
    MessagesRepository,
    IdempotencyRepository,
    IdempotencyService,
    IdempotencyPurgeJob,
    StatusRecorder,
    DispatchService,
    CallbacksService,
    CommsService,
    MessagesQuery,
  ],
})
export class CommsModule {}
