import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  OmitType,
  PartialType,
  PickType,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import {
  AffiliateListView,
  AffiliateView,
  CreateLeadRequest,
  DeliveryListView,
  IntakeStatsView,
  LeadEventAccepted,
  LeadEventRequest,
  LeadView,
  ListAffiliatesRequest,
  ListDeliveriesRequest,
  RedeliveryQueued,
  affiliatesSubjects as S,
  SetThresholdRequest,
  StatsView,
  ThresholdListView,
  ThresholdView,
  UpsertAffiliateRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';
import { decodeAffiliateCursor, encodeAffiliateCursor } from './affiliate-cursor';

const DEFAULT_LIMIT = 50;

// the affiliate id and the country come from the path
class UpsertAffiliateBody extends OmitType(UpsertAffiliateRequest, ['affiliate_id']) {}
class ThresholdBody extends OmitType(SetThresholdRequest, ['country']) {}
class DeliveriesQuery extends PickType(ListDeliveriesRequest, ['limit']) {}
/** A page as the API asks for it: `cursor` stands for the service's `after_id`. */
class AffiliatesQuery extends PartialType(PickType(ListAffiliatesRequest, ['limit'])) {
  @ApiPropertyOptional({ description: '`next_cursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** The affiliates part of the API (docs/api.md); each route is one NATS request to the affiliates service. */
@ApiTags('affiliates')
@ApiBearerAuth()
@Controller('api/platform/affiliates')
export class AffiliatesController {
  constructor(private readonly bus: BusClient) {}

  @Get()
  @ApiOperation({ summary: 'List affiliates', description: 'Every affiliate in affiliate id order; secrets masked' })
  @ApiOkResponse({ type: AffiliateListView })
  @ApiProblems(400)
  async listAffiliates(@Ctx() ctx: RequestContext, @Query() q: AffiliatesQuery): Promise<AffiliateListView> {
    const afterId = q.cursor ? decodeAffiliateCursor(q.cursor) : undefined;
    const page = await this.bus.request(
      S.listAffiliates,
      { limit: q.limit ?? DEFAULT_LIMIT, ...(afterId ? { after_id: afterId } : {}) },
      { ctx },
    );
    return {
      affiliates: page.affiliates,
      next_cursor: page.next_after_id === null ? null : encodeAffiliateCursor(page.next_after_id),
    };
  }

  // static segments first: `ftd-thresholds`, `leads` and `events` are never taken for an affiliate id
  @Put('ftd-thresholds/:country')
  @ApiOperation({
    summary: 'Set an FTD threshold',
    description: 'Of a country (ISO alpha-2, any case) or `default`: a first deposit reaching it becomes lead.ftd',
  })
  @ApiOkResponse({ type: ThresholdView })
  setFtdThreshold(@Ctx() ctx: RequestContext, @Param('country') country: string, @Body() body: ThresholdBody) {
    return this.bus.request(S.setThreshold, { ...body, country }, { ctx });
  }

  @Get('ftd-thresholds')
  @ApiOperation({ summary: 'List FTD thresholds', description: 'Every country threshold and `default`' })
  @ApiOkResponse({ type: ThresholdListView })
  listFtdThresholds(@Ctx() ctx: RequestContext) {
    return this.bus.request(S.listThresholds, {}, { ctx });
  }

  @Post('leads')
  @ApiOperation({ summary: 'Create a lead', description: 'Attributes a customer to an affiliate lead' })
  @ApiCreatedResponse({ type: LeadView })
  @ApiProblems(404, 409)
  createLead(@Ctx() ctx: RequestContext, @Body() body: CreateLeadRequest) {
    return this.bus.request(S.createLead, body, { ctx });
  }

  @Post('events')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Record a lead event',
    description:
      "A deposit reaching the country's threshold becomes lead.ftd; events after a lead's FTD are suppressed",
  })
  @ApiAcceptedResponse({ type: LeadEventAccepted })
  recordLeadEvent(@Ctx() ctx: RequestContext, @Body() body: LeadEventRequest) {
    return this.bus.request(S.recordEvent, body, { ctx });
  }

  // before `:affiliate_id/stats`, which would take `intake` for an affiliate id
  @Get('intake/stats')
  @ApiOperation({
    summary: 'Get intake counters',
    description: 'Platform-wide: events of customers with no attribution, and bus events ignored by reason',
  })
  @ApiOkResponse({ type: IntakeStatsView })
  getIntakeStats(@Ctx() ctx: RequestContext) {
    return this.bus.request(S.intakeStats, {}, { ctx });
  }

  @Put(':affiliate_id')
  @ApiOperation({
    summary: 'Put an affiliate',
    description: 'Creates or changes it; the secret is masked in the answer',
  })
  @ApiOkResponse({ type: AffiliateView })
  upsertAffiliate(
    @Ctx() ctx: RequestContext,
    @Param('affiliate_id') affiliateId: string,
    @Body() body: UpsertAffiliateBody,
  ) {
    return this.bus.request(S.upsertAffiliate, { ...body, affiliate_id: affiliateId }, { timeoutMs: 15000, ctx });
  }

  @Get(':affiliate_id')
  @ApiOperation({ summary: 'Get an affiliate', description: 'The secret is masked' })
  @ApiOkResponse({ type: AffiliateView })
  @ApiProblems(404)
  getAffiliate(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.getAffiliate, { affiliate_id: affiliateId }, { ctx });
  }

  @Get(':affiliate_id/stats')
  @ApiOperation({
    summary: "Get an affiliate's delivery stats",
    description: 'success_rate counts manual redeliveries',
  })
  @ApiOkResponse({ type: StatsView })
  @ApiProblems(404)
  getAffiliateStats(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.stats, { affiliate_id: affiliateId }, { ctx });
  }

  @Get(':affiliate_id/deliveries')
  @ApiOperation({ summary: 'List delivery attempts', description: 'Every attempt, newest first' })
  @ApiOkResponse({ type: DeliveryListView })
  @ApiProblems(404)
  listDeliveries(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string, @Query() q: DeliveriesQuery) {
    return this.bus.request(
      S.listDeliveries,
      { affiliate_id: affiliateId, ...(q.limit === undefined ? {} : { limit: q.limit }) },
      { ctx },
    );
  }

  @Post(':affiliate_id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Redeliver a batch', description: 'Sends it again, with the same webhook-id' })
  @ApiAcceptedResponse({ type: RedeliveryQueued })
  @ApiProblems(404)
  redeliver(
    @Ctx() ctx: RequestContext,
    @Param('affiliate_id') affiliateId: string,
    @Param('delivery_id') deliveryId: string,
  ) {
    return this.bus.request(S.redeliver, { affiliate_id: affiliateId, delivery_id: deliveryId }, { ctx });
  }
}
