import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags, OmitType } from '@nestjs/swagger';

import { CreateApplicantRequest, CustomerKycRequest, InternalKycWebhookRequest, kycSubjects } from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';

// the idempotency key comes as a header, never in the body
class CreateApplicantBody extends OmitType(CreateApplicantRequest, ['idempotency_key']) {}

/** The kyc part of the API (docs/api.md); each route is one NATS request to the kyc service. */
@ApiTags('kyc')
@ApiBearerAuth()
@Controller()
export class KycController {
  constructor(private readonly bus: BusClient) {}

  @Post('api/platform/kyc/applicants')
  @HttpCode(200)
  @ApiOperation({
    summary: "Create the provider applicant and the customer's pending record; returns the WebSDK access token",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body: the first answer, no second provider call; different body: 409',
  })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateApplicantBody, @Headers('idempotency-key') key?: string) {
    return this.bus.request(
      kycSubjects.createApplicant,
      { ...body, ...(key === undefined ? {} : { idempotency_key: key }) },
      { timeoutMs: 35000, ctx },
    );
  }

  @Get('api/platform/kyc/customers/:customer_id')
  @ApiOperation({ summary: "The customer's KYC record: status, document, the five gates and the event history" })
  get(@Ctx() ctx: RequestContext, @Param() params: CustomerKycRequest) {
    return this.bus.request(kycSubjects.getCustomer, { customer_id: params.customer_id }, { ctx });
  }

  @Post('webhooks/kyc')
  @HttpCode(200)
  @ApiOperation({
    summary: "Internal KYC format (other connectors, manual decisions): same mapping and gates as SumSub's events",
  })
  internal(@Ctx() ctx: RequestContext, @Body() body: InternalKycWebhookRequest) {
    return this.bus.request(kycSubjects.internalWebhook, body, { ctx });
  }
}
