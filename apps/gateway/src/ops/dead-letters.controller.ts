import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  PartialType,
  PickType,
} from '@nestjs/swagger';
import { IsOptional, IsString, isUUID, MaxLength } from 'class-validator';

import {
  ConsumerDeadLettersRequest,
  DeadLetterId,
  DeadLetterPage,
  DiscardedCount,
  DomainError,
  ErrorCode,
  ListDeadLettersRequest,
  opsSubjects,
  ReplayedCount,
  SERVICES,
  type ServiceName,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';
import { comparePosition, decodeCursor, encodeCursor } from './dead-letter-cursor';

const DEFAULT_LIMIT = 50;

/** A page as the API asks for it: the cursor stands for the services' `after_*` position. */
class DeadLettersQuery extends PartialType(PickType(ListDeadLettersRequest, ['consumer', 'limit'])) {
  @ApiPropertyOptional({ description: '`next_cursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/**
 * Dead letters of every service's durable consumers. Each service keeps its own (in its schema) and
 * hands a replay to its own consumer; the gateway asks every service and merges, so a consumer's name
 * needs no routing rule and a page is ordered across services by (parked_at, id).
 */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/platform/ops/dead-letters')
export class DeadLettersController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({
    summary: 'List dead letters',
    description: 'Parked events, oldest first, optionally of one consumer',
  })
  @ApiOkResponse({ type: DeadLetterPage })
  async listDeadLetters(@Ctx() ctx: RequestContext, @Query() q: DeadLettersQuery): Promise<DeadLetterPage> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    const request = {
      limit,
      ...(q.consumer ? { consumer: q.consumer } : {}),
      ...(after ? { after_parked_at: after.parked_at, after_id: after.id } : {}),
    };
    const pages = await this.everyService((s) => this.bus.request(opsSubjects.listDeadLetters(s), request, { ctx }));
    // each service's page is its first `limit` after the cursor, so the first `limit` of their union is the page
    const merged = pages.flatMap((p) => p.dead_letters).sort(comparePosition);
    const page = merged.slice(0, limit);
    const last = page[page.length - 1];
    return { dead_letters: page, next_cursor: merged.length > limit && last ? encodeCursor(last) : null };
  }

  // before `:id/replay`, which would otherwise never see `replay` as an id (it is not one either way)
  @Post('replay')
  @HttpCode(202)
  @ApiOperation({
    summary: "Replay a consumer's dead letters",
    description: 'Hands every dead letter of the consumer to that consumer again',
  })
  @ApiAcceptedResponse({ type: ReplayedCount })
  async replayConsumerDeadLetters(
    @Ctx() ctx: RequestContext,
    @Query() q: ConsumerDeadLettersRequest,
  ): Promise<ReplayedCount> {
    const counts = await this.everyService((s) =>
      this.bus.request(opsSubjects.replayConsumerDeadLetters(s), { consumer: q.consumer }, { ctx }),
    );
    return { replayed: counts.reduce((n, c) => n + c.replayed, 0) };
  }

  @Delete()
  @ApiOperation({ summary: "Discard a consumer's dead letters", description: 'Every dead letter of the consumer' })
  @ApiOkResponse({ type: DiscardedCount })
  async discardConsumerDeadLetters(
    @Ctx() ctx: RequestContext,
    @Query() q: ConsumerDeadLettersRequest,
  ): Promise<DiscardedCount> {
    const counts = await this.everyService((s) =>
      this.bus.request(opsSubjects.discardConsumerDeadLetters(s), { consumer: q.consumer }, { ctx }),
    );
    return { discarded: counts.reduce((n, c) => n + c.discarded, 0) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay a dead letter',
    description: 'Hands it to its own consumer again; removed once handled, kept (attempts + 1) if it fails again',
  })
  @ApiAcceptedResponse({ type: DeadLetterId })
  @ApiProblems(404)
  async replayDeadLetter(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<DeadLetterId> {
    const results = await this.settled(id, (s) => this.bus.request(opsSubjects.replayDeadLetter(s), { id }, { ctx }));
    if (results.some((r) => r.ok)) return { id };
    throw this.notFoundOrFailure(id, results);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Discard a dead letter', description: 'It is deleted, never handled' })
  @ApiNoContentResponse({ description: 'Discarded' })
  @ApiProblems(404)
  async discardDeadLetter(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    const results = await this.settled(id, (s) => this.bus.request(opsSubjects.discardDeadLetter(s), { id }, { ctx }));
    if (results.some((r) => r.ok && r.value.discarded > 0)) return;
    throw this.notFoundOrFailure(
      id,
      results.map((r) => (r.ok ? { ok: false as const, error: notFound(id) } : r)),
    );
  }

  /** The same request to every service; any failure fails the whole answer (a partial list would page wrongly). */
  private everyService<T>(call: (s: ServiceName) => Promise<T>): Promise<T[]> {
    return Promise.all(SERVICES.map(call));
  }

  /** The request to every service, for an id only one of them holds. */
  private async settled<T>(id: string, call: (s: ServiceName) => Promise<T>): Promise<Settled<T>[]> {
    if (!isUUID(id)) throw notFound(id);
    return Promise.all(
      SERVICES.map(async (s): Promise<Settled<T>> => {
        try {
          return { ok: true, value: await call(s) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** 404 when every service said so; otherwise the first other failure (the holder may be the one that did not answer). */
  private notFoundOrFailure(id: string, results: Settled<unknown>[]): unknown {
    const other = results.find(
      (r): r is { ok: false; error: unknown } =>
        !r.ok && !(r.error instanceof DomainError && r.error.code === ErrorCode.NotFound),
    );
    return other ? other.error : notFound(id);
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `No dead letter ${id}`);
}
