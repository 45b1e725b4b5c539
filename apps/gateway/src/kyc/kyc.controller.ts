import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, OmitType } from '@nestjs/swagger';

import {
  ApplicantCreated,
  CreateApplicantRequest,
  CustomerKycRequest,
  InternalKycWebhookReply,
  InternalKycWebhookRequest,
  KycRecordView,
  kycSubjects,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx, IDEMPOTENCY_HEADER, IdempotencyKey } from '../http/request-context';
import { ApiProblems } from '../openapi';

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
    summary: 'Create an applicant',
    description: "Creates the provider applicant and the customer's pending record; returns the WebSDK access token",
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: ApplicantCreated })
  @ApiProblems(409, 422, 502)
  createApplicant(@Ctx() ctx: RequestContext, @Body() body: CreateApplicantBody, @IdempotencyKey() key?: string) {
    return this.bus.request(
      kycSubjects.createApplicant,
      { ...body, ...(key === undefined ? {} : { idempotency_key: key }) },
      { timeoutMs: 35000, ctx },
    );
  }

  @Get('api/platform/kyc/customers/:customer_id')
  @ApiOperation({
    summary: "Get a customer's KYC record",
    description: 'Status, document, the five compliance gates and the event history',
  })
  @ApiOkResponse({ type: KycRecordView })
  @ApiProblems(404)
  getKycRecord(@Ctx() ctx: RequestContext, @Param() params: CustomerKycRequest) {
    return this.bus.request(kycSubjects.getCustomer, { customer_id: params.customer_id }, { ctx });
  }

  @Post('webhooks/kyc')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a KYC decision (internal format)',
    description:
      "For other connectors and manual decisions, with the platform key: the same mapping and gates as SumSub's events",
  })
  @ApiOkResponse({ type: InternalKycWebhookReply })
  @ApiProblems(404)
  receiveKycDecision(@Ctx() ctx: RequestContext, @Body() body: InternalKycWebhookRequest) {
    return this.bus.request(kycSubjects.internalWebhook, body, { ctx });
  }
}
