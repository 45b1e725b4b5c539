import type { NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';

import { checkDependencies } from './health';
import { DATA_SOURCE, NATS_CONNECTION } from './tokens';

/**
 * A service's own HTTP surface: /livez (the process answers: liveness, never its dependencies, so a
 * database outage does not restart every pod), /readyz (Postgres and NATS: take traffic or not), /health
 * (the same summary as /readyz); /metrics is MetricsController's.
 */
@Controller()
export class OpsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get('livez')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get(['health', 'readyz'])
  async health(@Res() reply: FastifyReply): Promise<void> {
    const report = await checkDependencies(this.ds, this.nc);
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }
}
