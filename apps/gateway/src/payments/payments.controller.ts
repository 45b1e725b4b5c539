import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  OmitType,
} from '@nestjs/swagger';

import {
  CountryRequest,
  DefaultRouteView,
  paymentsSubjects,
  PutRouteRequest,
  ResolutionView,
  ResolveGatewayRequest,
  RouteView,
  RoutingListView,
  SetDefaultRouteRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';

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
  @ApiOperation({
    summary: 'Set the default gateway pair',
    description: 'Used by unconfigured countries, inactive routes and routes whose gateway is not active',
  })
  @ApiBody({ type: SetDefaultRouteRequest })
  @ApiOkResponse({ type: DefaultRouteView })
  setDefaultRoute(@Ctx() ctx: RequestContext, @Body() body: Record<string, unknown>) {
    // validated by the payments service, with the payment-provider rule, so one 400 lists every field
    return this.bus.request(paymentsSubjects.setDefault, body, { ctx });
  }

  @Get('api/platform/payments/routing/default')
  @ApiOperation({ summary: 'Get the default gateway pair', description: 'null gateways when none is set' })
  @ApiOkResponse({ type: DefaultRouteView })
  getDefaultRoute(@Ctx() ctx: RequestContext) {
    return this.bus.request(paymentsSubjects.getDefault, {}, { ctx });
  }

  @Get('api/platform/payments/routing')
  @ApiOperation({ summary: 'List routes', description: 'Every country route and the default pair' })
  @ApiOkResponse({ type: RoutingListView })
  listRoutes(@Ctx() ctx: RequestContext) {
    return this.bus.request(paymentsSubjects.listRoutes, {}, { ctx });
  }

  @Put('api/platform/payments/routing/:country')
  @ApiOperation({
    summary: "Put a country's route",
    description: 'Creates or replaces it; both gateways must be payment providers',
  })
  @ApiParam({ name: 'country', example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @ApiBody({ type: RouteBody })
  @ApiOkResponse({ type: RouteView })
  putRoute(@Ctx() ctx: RequestContext, @Param('country') country: string, @Body() body: Record<string, unknown>) {
    // path and body are validated together by the payments service, so one 400 lists every invalid field
    return this.bus.request(paymentsSubjects.putRoute, { ...body, country }, { ctx });
  }

  @Get('api/platform/payments/routing/:country')
  @ApiOperation({ summary: "Get a country's route", description: '404 for a country without a route' })
  @ApiOkResponse({ type: RouteView })
  @ApiProblems(404)
  getRoute(@Ctx() ctx: RequestContext, @Param() p: CountryRequest) {
    return this.bus.request(paymentsSubjects.getRoute, { country: p.country }, { ctx });
  }

  @Delete('api/platform/payments/routing/:country')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a country's route", description: 'The country falls back to the default pair' })
  @ApiNoContentResponse({ description: 'Deleted (or there was none)' })
  @ApiProblems(404)
  async deleteRoute(@Ctx() ctx: RequestContext, @Param() p: CountryRequest): Promise<void> {
    await this.bus.request(paymentsSubjects.deleteRoute, { country: p.country }, { ctx });
  }

  @Get('payments/gateway')
  @ApiOperation({
    summary: 'Resolve the payment gateway',
    description:
      "The country's active route (or the default) gives the gateway; its cashier session is opened, failing over " +
      'to the other gateway when the first fails. embed answers carry script_url and cashier_key, redirect ones redirect_url.',
  })
  @ApiQuery({ type: ResolveGatewayRequest })
  @ApiOkResponse({ type: ResolutionView })
  @ApiProblems(422, 502)
  resolveGateway(@Ctx() ctx: RequestContext, @Query() q: Record<string, unknown>) {
    // validated by the payments service with the amount's minor-unit rule, so one 400 lists every invalid field
    return this.bus.request(paymentsSubjects.resolveGateway, q, {
      timeoutMs: RESOLVE_TIMEOUT_MS,
      ctx,
    });
  }
}
