import type { NatsConnection } from '@nats-io/transport-node';
import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { DataSource } from 'typeorm';

import { EchoRequest, systemSubjects, type EchoReply, type HealthReply, type ServiceName } from '@app/contracts';
import { currentContext } from '@app/observability';

import { checkDependencies } from './health';
import { DATA_SOURCE, INSTANCE, NATS_CONNECTION, type InstanceInfo } from './tokens';

/** Every service answers health and echo on its own subjects; the class is made per service name. */
export function createSystemController(service: ServiceName): Type<unknown> {
  @Controller()
  class SystemController {
    constructor(
      @Inject(DATA_SOURCE) private readonly ds: DataSource,
      @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
      @Inject(INSTANCE) private readonly instance: InstanceInfo,
    ) {}

    @MessagePattern(systemSubjects.health(service))
    async health(): Promise<HealthReply> {
      const report = await checkDependencies(this.ds, this.nc);
      return { service, instance_id: this.instance.instanceId, ...report };
    }

    @MessagePattern(systemSubjects.echo(service))
    async echo(@Payload() req: EchoRequest): Promise<EchoReply> {
      if (req.delay_ms) await new Promise((r) => setTimeout(r, req.delay_ms));
      return {
        message: req.message,
        service,
        instance_id: this.instance.instanceId,
        request_id: currentContext()?.requestId ?? null,
      };
    }
  }
  return SystemController;
}
