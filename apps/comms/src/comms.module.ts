import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { ErrorCode } from '@app/contracts';
import { Idempotency, PgIdempotencyStore } from '@app/persistence';
import { DATA_SOURCE, LOGGER, SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from './definition';
import { CallbacksService } from './messages/callbacks.service';
import { CommsController } from './messages/comms.controller';
import { CommsService } from './messages/comms.service';
import { DispatchService } from './messages/dispatch.service';
import { MessagesQuery } from './messages/messages.query';
import { MessagesRepository } from './messages/messages.repository';
import { PROVIDER_INFRA } from './messages/provider-configs';
import { StatusRecorder } from './messages/status.recorder';

/** The comms service's features: dispatch (email, SMS, calls), delivery callbacks, the message log. */
@Module({
  controllers: [CommsController],
  providers: [
    ...PROVIDER_INFRA,
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
    CommsService,
    MessagesQuery,
  ],
})
export class CommsModule {}
