import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiTags, OmitType } from '@nestjs/swagger';

import {
  CountryRequest,
  paymentsSubjects,
  PutRouteRequest,
  ResolveGatewayRequest,
  SetDefaultRouteRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';

/** The country comes from the path. */
class RouteBody extends OmitType(PutRouteRequest, ['country']) {}

/** Opening a cashier session may take two provider calls (a failover): more than the default deadline. */
const RESOLVE_TIMEOUT_MS = 30000;

/** The payments part of the API (docs/api.md); each route is one NATS request to the payments service. */
@ApiTags('payments')
@ApiBearerAuth()
@Controller()
export class PaymentsController {
  constructor(private readonly bus: BusClient) {}

  // declared before the :country routes, so `default` is never read as a country
  @Put('api/platform/payments/routing/default')
  @ApiOperation({ summary: 'Set the default gateway pair (used by unconfigured countries and inactive routes)' })
  @ApiBody({ type: SetDefaultRouteRequest })
  setDefault(@Ctx() ctx: RequestContext, @Body() body: Record<string, unknown>) {
    // validated by the payments service, with the payment-provider rule, so one 400 lists every field
    return this.bus.request(paymentsSubjects.setDefault, body, { ctx });
  }

  @Get('api/platform/payments/routing/default')
  getDefault(@Ctx() ctx: RequestContext) {
    return this.bus.request(paymentsSubjects.getDefault, {}, { ctx });
  }

  @Get('api/platform/payments/routing')
  list(@Ctx() ctx: RequestContext) {
    return this.bus.request(paymentsSubjects.listRoutes, {}, { ctx });
  }

  @Put('api/platform/payments/routing/:country')
  @ApiOperation({ summary: "Create or replace a country's route" })
  @ApiParam({ name: 'country', example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @ApiBody({ type: RouteBody })
  put(@Ctx() ctx: RequestContext, @Param('country') country: string, @Body() body: Record<string, unknown>) {
    // path and body are validated together by the payments service, so one 400 lists every invalid field
    return this.bus.request(paymentsSubjects.putRoute, { ...body, country }, { ctx });
  }

  @Get('api/platform/payments/routing/:country')
  get(@Ctx() ctx: RequestContext, @Param() p: CountryRequest) {
    return this.bus.request(paymentsSubjects.getRoute, { country: p.country }, { ctx });
  }

  @Delete('api/platform/payments/routing/:country')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param() p: CountryRequest): Promise<void> {
    await this.bus.request(paymentsSubjects.deleteRoute, { country: p.country }, { ctx });
  }

  @Get('payments/gateway')
  @ApiOperation({
    summary: 'Resolve the gateway for a country and direction and open its cashier session (embed or redirect)',
  })
  @ApiQuery({ type: ResolveGatewayRequest })
  resolve(@Ctx() ctx: RequestContext, @Query() q: Record<string, unknown>) {
    // validated by the payments service with the amount's minor-unit rule, so one 400 lists every invalid field
    return this.bus.request(paymentsSubjects.resolveGateway, q, {
      timeoutMs: RESOLVE_TIMEOUT_MS,
      ctx,
    });
  }
}
