import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { ConnectorsModule } from '@app/connectors';
import { ErrorCode } from '@app/contracts';
import { Idempotency, PgIdempotencyStore } from '@app/persistence';
import { DATA_SOURCE, LOGGER, SERVICE_CONFIG } from '@app/runtime';

import { CallbacksController } from './callbacks/callbacks.controller';
import { CallbacksService } from './callbacks/callbacks.service';
import type { CommsConfig } from './comms.config';
import { DispatchController } from './dispatch/dispatch.controller';
import { DispatchService } from './dispatch/dispatch.service';
import { SendService } from './dispatch/send.service';
import { LogController } from './log/log.controller';
import { MessagesQuery } from './log/messages.query';
import { MessagesRepository } from './log/messages.repository';
import { StatusRecorder } from './log/status.recorder';

/** The comms service's features: dispatch (email, SMS, calls), delivery callbacks, the message log. */
@Module({
  imports: [ConnectorsModule.forService()],
  controllers: [DispatchController, CallbacksController, LogController],
  providers: [
    MessagesRepository,
    {
      provide: Idempotency,
      inject: [DATA_SOURCE, SERVICE_CONFIG, LOGGER],
      useFactory: (ds: DataSource, c: CommsConfig, logger: Logger) =>
        new Idempotency(new PgIdempotencyStore(ds), {
          ttlMs: c.COMMS_IDEMPOTENCY_TTL_MS,
          // a refusal or a conflict is the final answer: a retry sees it again and calls no provider
          replayErrors: [ErrorCode.ProviderRefused, ErrorCode.Conflict],
          logger,
        }),
    },
    StatusRecorder,
    DispatchService,
    CallbacksService,
    SendService,
    MessagesQuery,
  ],
})
export class CommsModule {}
