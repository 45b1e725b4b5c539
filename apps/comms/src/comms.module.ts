import { Module } from '@nestjs/common';

import { CallbacksController } from './callbacks/callbacks.controller';
import { CallbacksService } from './callbacks/callbacks.service';
import { PROVIDER_INFRA } from './connectors/provider-configs';
import { DispatchController } from './dispatch/dispatch.controller';
import { DispatchService } from './dispatch/dispatch.service';
import { IdempotencyPurgeJob } from './dispatch/idempotency.purge';
import { IdempotencyRepository } from './dispatch/idempotency.repository';
import { IdempotencyService } from './dispatch/idempotency.service';
import { SendService } from './dispatch/send.service';
import { LogController } from './log/log.controller';
import { MessagesQuery } from './log/messages.query';
import { MessagesRepository } from './log/messages.repository';
import { StatusRecorder } from './log/status.recorder';

/** The comms service's features: dispatch (email, SMS, calls), delivery callbacks, the message log. */
@Module({
  controllers: [DispatchController, CallbacksController, LogController],
  providers: [
    ...PROVIDER_INFRA,
    MessagesRepository,
    IdempotencyRepository,
    IdempotencyService,
    IdempotencyPurgeJob,
    StatusRecorder,
    DispatchService,
    CallbacksService,
    SendService,
    MessagesQuery,
  ],
})
export class CommsModule {}
