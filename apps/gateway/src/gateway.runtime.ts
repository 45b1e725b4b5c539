import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

import type { GatewayConfig } from './gateway.config';

/** The gateway's process-wide dependencies, provided to controllers by class. */
export class GatewayRuntime {
  constructor(
    readonly nc: NatsConnection,
    readonly config: GatewayConfig,
    readonly logger: Logger,
  ) {}
}
