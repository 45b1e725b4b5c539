import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { EchoRequest, NoopRequest, systemSubjects, type EchoReply } from '@app/contracts';
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
  @ApiOperation({ summary: 'Round trip through NATS to one service; answers with the replica that served it' })
  echo(@Ctx() ctx: RequestContext, @Body() body: EchoRequest): Promise<EchoReply> {
    return this.bus.request(systemSubjects.echo(body.service), body, { ctx });
  }

  @Post('noop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Authenticated, validated no-op: measures the gateway pipeline alone' })
  noop(@Body() body: NoopRequest): { message: string; count: number } {
    return { message: body.message, count: body.count ?? 1 };
  }
}
