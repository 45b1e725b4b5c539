import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, OmitType, PickType } from '@nestjs/swagger';

import {
  CreateLeadRequest,
  LeadEventRequest,
  ListDeliveriesRequest,
  affiliatesSubjects as S,
  SetThresholdRequest,
  UpsertAffiliateRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';

// the affiliate id and the country come from the path
class UpsertAffiliateBody extends OmitType(UpsertAffiliateRequest, ['affiliate_id']) {}
class ThresholdBody extends OmitType(SetThresholdRequest, ['country']) {}
class DeliveriesQuery extends PickType(ListDeliveriesRequest, ['limit']) {}

/** The affiliates part of the API (docs/api.md); each route is one NATS request to the affiliates service. */
@ApiTags('affiliates')
@ApiBearerAuth()
@Controller('api/platform/affiliates')
export class AffiliatesController {
  constructor(private readonly bus: BusClient) {}

  // static segments first: `ftd-thresholds`, `leads` and `events` are never taken for an affiliate id
  @Put('ftd-thresholds/:country')
  @ApiOperation({ summary: 'FTD threshold of a country (ISO alpha-2, any case) or `default`' })
  setThreshold(@Ctx() ctx: RequestContext, @Param('country') country: string, @Body() body: ThresholdBody) {
    return this.bus.request(S.setThreshold, { ...body, country }, { ctx });
  }

  @Get('ftd-thresholds')
  listThresholds(@Ctx() ctx: RequestContext) {
    return this.bus.request(S.listThresholds, {}, { ctx });
  }

  @Post('leads')
  @ApiOperation({ summary: 'Attribute a customer to an affiliate lead' })
  createLead(@Ctx() ctx: RequestContext, @Body() body: CreateLeadRequest) {
    return this.bus.request(S.createLead, body, { ctx });
  }

  @Post('events')
  @HttpCode(202)
  @ApiOperation({ summary: 'A lead event; a deposit reaching the country threshold becomes lead.ftd' })
  recordEvent(@Ctx() ctx: RequestContext, @Body() body: LeadEventRequest) {
    return this.bus.request(S.recordEvent, body, { ctx });
  }

  // before `:affiliate_id/stats`, which would take `intake` for an affiliate id
  @Get('intake/stats')
  @ApiOperation({ summary: 'Platform-wide intake counters (events of customers with no attribution)' })
  intakeStats(@Ctx() ctx: RequestContext) {
    return this.bus.request(S.intakeStats, {}, { ctx });
  }

  @Put(':affiliate_id')
  @ApiOperation({ summary: 'Create or change an affiliate (secret masked in the answer)' })
  upsert(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string, @Body() body: UpsertAffiliateBody) {
    return this.bus.request(S.upsertAffiliate, { ...body, affiliate_id: affiliateId }, { timeoutMs: 15000, ctx });
  }

  @Get(':affiliate_id')
  get(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.getAffiliate, { affiliate_id: affiliateId }, { ctx });
  }

  @Get(':affiliate_id/stats')
  stats(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.stats, { affiliate_id: affiliateId }, { ctx });
  }

  @Get(':affiliate_id/deliveries')
  deliveries(@Ctx() ctx: RequestContext, @Param('affiliate_id') affiliateId: string, @Query() q: DeliveriesQuery) {
    return this.bus.request(
      S.listDeliveries,
      { affiliate_id: affiliateId, ...(q.limit === undefined ? {} : { limit: q.limit }) },
      { ctx },
    );
  }

  @Post(':affiliate_id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a batch again (same webhook-id)' })
  redeliver(
    @Ctx() ctx: RequestContext,
    @Param('affiliate_id') affiliateId: string,
    @Param('delivery_id') deliveryId: string,
  ) {
    return this.bus.request(S.redeliver, { affiliate_id: affiliateId, delivery_id: deliveryId }, { ctx });
  }
}
