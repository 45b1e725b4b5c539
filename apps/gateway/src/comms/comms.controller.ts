import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, OmitType } from '@nestjs/swagger';

import {
  CallReply,
  commsSubjects,
  CreateCallRequest,
  DomainError,
  ErrorCode,
  ListMessagesRequest,
  MessageListView,
  MessageView,
  SendEmailRequest,
  SendReply,
  SendSmsRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx, IDEMPOTENCY_HEADER, IdempotencyKey } from '../http/request-context';
import { ApiProblems } from '../openapi';

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
    summary: 'Send an email',
    description: 'Through the email default provider (or the named active one), failing over on provider errors',
  })
  @ApiOkResponse({ type: SendReply })
  @ApiProblems(404, 409, 422, 502)
  sendEmail(@Ctx() ctx: RequestContext, @Body() body: SendEmailBody, @IdempotencyKey() key?: string) {
    return this.bus.request(
      commsSubjects.sendEmail,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Post('sms/send')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Send an SMS', description: 'Through the sms default provider (or the named active one)' })
  @ApiOkResponse({ type: SendReply })
  @ApiProblems(404, 409, 422, 502)
  sendSms(@Ctx() ctx: RequestContext, @Body() body: SendSmsBody, @IdempotencyKey() key?: string) {
    return this.bus.request(
      commsSubjects.sendSms,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Post('calls')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({
    summary: 'Start a call',
    description: 'Click-to-call: rings the agent and bridges the lead; the call is a Message with channel `call`',
  })
  @ApiOkResponse({ type: CallReply })
  @ApiProblems(404, 409, 422, 502)
  createCall(@Ctx() ctx: RequestContext, @Body() body: CreateCallBody, @IdempotencyKey() key?: string) {
    return this.bus.request(
      commsSubjects.createCall,
      { ...body, ...idempotencyKey(key) },
      { timeoutMs: SEND_TIMEOUT_MS, ctx },
    );
  }

  @Get('messages/:id')
  @ApiOperation({
    summary: 'Get a message',
    description: 'A message or call with its status history and send attempts',
  })
  @ApiOkResponse({ type: MessageView })
  @ApiProblems(404)
  getMessage(@Ctx() ctx: RequestContext, @Param('id') id: string) {
    return this.bus.request(commsSubjects.getMessage, { id: id.slice(0, 64) }, { ctx });
  }

  @Get('messages')
  @ApiOperation({ summary: 'List messages', description: 'Messages and calls, newest first' })
  @ApiOkResponse({ type: MessageListView })
  listMessages(@Ctx() ctx: RequestContext, @Query() q: ListMessagesRequest) {
    return this.bus.request(commsSubjects.listMessages, q, { ctx });
  }
}
