import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, PartialType } from '@nestjs/swagger';

import { AuditPage, ListAuditRequest, opsSubjects, SERVICES } from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';

const DEFAULT_LIMIT = 50;

class AuditQuery extends PartialType(ListAuditRequest) {}

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
    const request = { limit, ...(q.since ? { since: q.since } : {}) };
    const pages = await Promise.all(SERVICES.map((s) => this.bus.request(opsSubjects.listAudit(s), request, { ctx })));
    // each service's page is its first `limit` from `since`, so the first `limit` of their union is the page
    const merged = pages
      .flatMap((p) => p.entries)
      .sort((a, b) => a.at.localeCompare(b.at) || a.service.localeCompare(b.service) || Number(a.id) - Number(b.id));
    const page = merged.slice(0, limit);
    const last = page[page.length - 1];
    return { entries: page, next_since: merged.length > limit && last ? last.at : null };
  }
}
