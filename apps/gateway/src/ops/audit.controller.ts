import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  PartialType,
  PickType,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { AuditPage, ListAuditRequest, opsSubjects, SERVICES } from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

const DEFAULT_LIMIT = 50;

/** A page as the API asks for it: `cursor` stands for the services' `since` + `after_*` position. */
class AuditQuery extends PartialType(PickType(ListAuditRequest, ['since', 'limit'])) {
  @ApiPropertyOptional({ description: '`next_cursor` of the previous page (instead of `since`)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/**
 * Configuration changes of every service. Each service keeps its own audit trail (in its schema, written in
 * the transaction of the change); the gateway asks every service and merges by (at, service, id).
 */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/platform/audit')
export class AuditController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({
    summary: 'List configuration changes',
    description:
      'Providers and credentials, defaults, routes, thresholds, affiliates and dead-letter actions, oldest first: ' +
      'the key id and scope behind each change and the names of the fields it set, never their values',
  })
  @ApiOkResponse({ type: AuditPage })
  @ApiProblems(400)
  async listAudit(@Ctx() ctx: RequestContext, @Query() q: AuditQuery): Promise<AuditPage> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const after = q.cursor ? decodeAuditCursor(q.cursor) : undefined;
    const request = after
      ? { limit, since: after.at, after_service: after.service, after_id: after.id }
      : { limit, ...(q.since ? { since: q.since } : {}) };
    const pages = await Promise.all(SERVICES.map((s) => this.bus.request(opsSubjects.listAudit(s), request, { ctx })));
    // each service's page is its first `limit` from `since`, so the first `limit` of their union is the page
    const merged = pages
      .flatMap((p) => p.entries)
      .sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service) || Number(a.id) - Number(b.id));
    const page = merged.slice(0, limit);
    const last = page[page.length - 1];
    const more = merged.length > limit && last;
    return {
      entries: page,
      next_since: more ? last.at : null,
      next_cursor: more ? encodeAuditCursor({ at: last.at, service: last.service, id: last.id }) : null,
    };
  }
}
