import { Module } from '@nestjs/common';

import { CallbacksService } from './callbacks/callbacks.service';
import { PROVIDER_INFRA } from './connectors/provider-configs';
import { CommsController } from './dispatch/dispatch.controller';
import { DispatchService } from './dispatch/dispatch.service';
import { IdempotencyPurgeJob } from './dispatch/idempotency.purge';
import { IdempotencyRepository } from './dispatch/idempotency.repository';
import { IdempotencyService } from './dispatch/idempotency.service';
import { CommsService } from './dispatch/send.service';
import { MessagesQuery } from './log/messages.query';
import { MessagesRepository } from './log/messages.repository';
import { StatusRecorder } from './log/status.recorder';

/** The comms service's features: dispatch (email, SMS, calls), delivery callbacks, the message log. */
@Module({
  controllers: [CommsController],
  providers: [
    ...PROVIDER_INFRA,
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
