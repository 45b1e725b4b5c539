import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { affiliatesSubjects as S } from '@app/contracts';
import { BusClient } from '@app/messaging';
import { DeliveriesQuery, LeadBody, LeadEventBody, ThresholdBody, UpsertAffiliateBody } from './affiliates.dto';

/** The affiliates part of API.md; each route is one NATS request to the affiliates service. */
@ApiTags('affiliates')
@ApiBearerAuth()
@Controller('api/platform/affiliates')
export class AffiliatesController {
  constructor(private readonly bus: BusClient) {}

  // static segments first: `ftd-thresholds`, `leads` and `events` are never taken for an affiliate id
  @Put('ftd-thresholds/:country')
  @ApiOperation({ summary: 'FTD threshold of a country (ISO alpha-2, any case) or `default`' })
  setThreshold(@Param('country') country: string, @Body() body: ThresholdBody) {
    return this.bus.request(S.setThreshold, { ...body, country });
  }

  @Get('ftd-thresholds')
  listThresholds() {
    return this.bus.request(S.listThresholds, {});
  }

  @Post('leads')
  @ApiOperation({ summary: 'Attribute a customer to an affiliate lead' })
  createLead(@Body() body: LeadBody) {
    return this.bus.request(S.createLead, body);
  }

  @Post('events')
  @HttpCode(202)
  @ApiOperation({ summary: 'A lead event; a deposit reaching the country threshold becomes lead.ftd' })
  recordEvent(@Body() body: LeadEventBody) {
    return this.bus.request(S.recordEvent, body);
  }

  @Put(':affiliate_id')
  @ApiOperation({ summary: 'Create or change an affiliate (secret masked in the answer)' })
  upsert(@Param('affiliate_id') affiliateId: string, @Body() body: UpsertAffiliateBody) {
    return this.bus.request(S.upsertAffiliate, { ...body, affiliate_id: affiliateId }, { timeoutMs: 15000 });
  }

  @Get(':affiliate_id')
  get(@Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.getAffiliate, { affiliate_id: affiliateId });
  }

  @Get(':affiliate_id/stats')
  stats(@Param('affiliate_id') affiliateId: string) {
    return this.bus.request(S.stats, { affiliate_id: affiliateId });
  }

  @Get(':affiliate_id/deliveries')
  deliveries(@Param('affiliate_id') affiliateId: string, @Query() q: DeliveriesQuery) {
    return this.bus.request(S.listDeliveries, { affiliate_id: affiliateId, ...(q.limit === undefined ? {} : { limit: q.limit }) });
  }

  @Post(':affiliate_id/deliveries/:delivery_id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a batch again (same webhook-id)' })
  redeliver(@Param('affiliate_id') affiliateId: string, @Param('delivery_id') deliveryId: string) {
    return this.bus.request(S.redeliver, { affiliate_id: affiliateId, delivery_id: deliveryId });
  }
}
