import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags, OmitType } from '@nestjs/swagger';

import {
  commsSubjects,
  CreateCallRequest,
  DomainError,
  ErrorCode,
  ListMessagesRequest,
  SendEmailRequest,
  SendSmsRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';

/** A send may try every active provider of its category, each with its own deadline. */
const SEND_TIMEOUT_MS = 45000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(value: string | undefined): { idempotency_key?: string } {
  if (value === undefined) return {};
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return { idempotency_key: value };
}

// the idempotency key comes as a header, never in the body
class SendEmailBody extends OmitType(SendEmailRequest, ['idempotency_key']) {}
class SendSmsBody extends OmitType(SendSmsRequest, ['idempotency_key']) {}
class CreateCallBody extends OmitType(CreateCallRequest, ['idempotency_key']) {}

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key + same body: the first answer, no second provider call; same key + another body: 409',
};

/** The comms part of the API (docs/api.md); each route is one NATS request to the comms service. */
@ApiTags('comms')
@ApiBearerAuth()
@Controller('api/platform/integrations')
export class CommsController {
  constructor(private readonly bus: BusClient) {}

  @Post('email/send')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({
    summary:
      'Send an email through the email default provider (or the named active one), failing over on provider errors',
  })
  sendEmail(@Ctx() ctx: RequestContext, @Body() body: SendEmailBody, @Headers('idempotency-key') key?: string) {
    return this.bus.request(
      commsSubjects.sendEmail,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Post('sms/send')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Send an SMS' })
  sendSms(@Ctx() ctx: RequestContext, @Body() body: SendSmsBody, @Headers('idempotency-key') key?: string) {
    return this.bus.request(
      commsSubjects.sendSms,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Post('calls')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Click-to-call: ring the agent and bridge the lead' })
  call(@Ctx() ctx: RequestContext, @Body() body: CreateCallBody, @Headers('idempotency-key') key?: string) {
    return this.bus.request(
      commsSubjects.createCall,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'A message or call with its status history and send attempts' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return this.bus.request(commsSubjects.getMessage, { id: id.slice(0, 64) }, { ctx });
  }

  @Get('messages')
  @ApiOperation({ summary: 'Messages and calls, newest first' })
  list(@Ctx() ctx: RequestContext, @Query() q: ListMessagesRequest) {
    return this.bus.request(commsSubjects.listMessages, q, { ctx });
  }
}
