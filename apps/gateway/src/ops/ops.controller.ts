import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { HealthReport, LiveReply, SERVICES, systemSubjects } from '@app/contracts';
import { BusClient } from '@app/messaging';
import { checkDependencies } from '@app/runtime';

import { GatewayRuntime } from '../gateway.runtime';

/** Liveness and readiness summary: the gateway's NATS link, and whether each service answers. */
@ApiTags('health')
@Controller()
export class OpsController {
  constructor(
    private readonly bus: BusClient,
    private readonly runtime: GatewayRuntime,
  ) {}

  @Get('livez')
  @ApiOperation({
    summary: 'Liveness',
    description: 'The process answers: liveness only, so an outage behind the gateway never restarts it',
  })
  @ApiOkResponse({ type: LiveReply })
  getLiveness(): LiveReply {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({
    summary: 'Readiness',
    description: 'Ready to take traffic: its NATS link and at least one replica of every service answer',
  })
  @ApiOkResponse({ type: HealthReport })
  @ApiServiceUnavailableResponse({ type: HealthReport, description: 'Not ready: the failing checks say why' })
  async getReadiness(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.report();
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }

  @Get('health')
  @ApiOperation({
    summary: 'Health summary',
    description: "503 only when the gateway's own NATS link is down; each service is listed as ok or fail",
  })
  @ApiOkResponse({ type: HealthReport })
  @ApiServiceUnavailableResponse({ type: HealthReport, description: 'The NATS link is down' })
  async getHealth(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.report();
    await reply.status(report.checks.nats?.status === 'ok' ? 200 : 503).send(report);
  }

  private async report(): Promise<HealthReport> {
    const own = await checkDependencies(null, this.runtime.nc);
    const services = await Promise.all(
      SERVICES.map(async (service) => {
        try {
          const h = await this.bus.request(systemSubjects.health(service), {}, { timeoutMs: 1500 });
          return [
            service,
            {
              status: h.status === 'ok' ? 'ok' : 'fail',
              ...(h.status === 'ok' ? {} : { detail: 'dependency check failed' }),
            },
          ] as const;
        } catch (err) {
          return [service, { status: 'fail', detail: (err as Error).message }] as const;
        }
      }),
    );
    const checks = { ...own.checks, ...Object.fromEntries(services) };
    const status = Object.values(checks).every((c) => c.status === 'ok') ? 'ok' : 'degraded';
    return { status, checks };
  }
}
