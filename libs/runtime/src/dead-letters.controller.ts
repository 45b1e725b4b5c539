import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  ConsumerDeadLettersRequest,
  DeadLetterIdRequest,
  ListAuditRequest,
  ListDeadLettersRequest,
  opsSubjects,
  type AuditEntry,
  type DeadLetterView,
  type ServiceName,
} from '@app/contracts';
import { AuditLog, DeadLetterService } from '@app/messaging';

/** Every service answers for the dead letters of its own consumers and for its audit trail, kept in its own schema. */
export function createDeadLettersController(service: ServiceName): Type<unknown> {
  @Controller()
  class DeadLettersController {
    constructor(
      private readonly deadLetters: DeadLetterService,
      private readonly audit: AuditLog,
    ) {}

    @MessagePattern(opsSubjects.listAudit(service))
    listAudit(@Payload() q: ListAuditRequest): Promise<{ entries: AuditEntry[] }> {
      return this.audit.list(q);
    }

    @MessagePattern(opsSubjects.listDeadLetters(service))
    list(@Payload() q: ListDeadLettersRequest): Promise<{ dead_letters: DeadLetterView[] }> {
      const after = q.after_parked_at && q.after_id ? { parked_at: q.after_parked_at, id: q.after_id } : undefined;
      return this.deadLetters.list({ consumer: q.consumer, limit: q.limit, after });
    }

    @MessagePattern(opsSubjects.replayDeadLetter(service))
    replay(@Payload() q: DeadLetterIdRequest): Promise<{ id: string }> {
      return this.deadLetters.replay(q.id);
    }

    @MessagePattern(opsSubjects.discardDeadLetter(service))
    async discard(@Payload() q: DeadLetterIdRequest): Promise<{ discarded: number }> {
      return { discarded: (await this.deadLetters.discard(q.id)) ? 1 : 0 };
    }

    @MessagePattern(opsSubjects.replayConsumerDeadLetters(service))
    replayConsumer(@Payload() q: ConsumerDeadLettersRequest): Promise<{ replayed: number }> {
      return this.deadLetters.replayConsumer(q.consumer);
    }

    @MessagePattern(opsSubjects.discardConsumerDeadLetters(service))
    discardConsumer(@Payload() q: ConsumerDeadLettersRequest): Promise<{ discarded: number }> {
      return this.deadLetters.discardConsumer(q.consumer);
    }
  }
  return DeadLettersController;
}
