import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { EchoReply, EchoRequest, NoopReply, NoopRequest, systemSubjects } from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';

@ApiTags('diagnostics')
@ApiBearerAuth()
@Controller('api/platform/diagnostics')
export class DiagnosticsController {
  constructor(private readonly bus: BusClient) {}

  @Post('echo')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Echo through a service',
    description: 'A round trip through NATS to one service; answers with the replica that served it',
  })
  @ApiOkResponse({ type: EchoReply })
  echo(@Ctx() ctx: RequestContext, @Body() body: EchoRequest): Promise<EchoReply> {
    return this.bus.request(systemSubjects.echo(body.service), body, { ctx });
  }

  @Post('noop')
  @HttpCode(200)
  @ApiOperation({ summary: 'No-op', description: 'Authenticated and validated: measures the gateway pipeline alone' })
  @ApiOkResponse({ type: NoopReply })
  noop(@Body() body: NoopRequest): NoopReply {
    return { message: body.message, count: body.count ?? 1 };
  }
}
