import { IsInt, Matches, Max, Min } from 'class-validator';

import { ConnectorCallerConfig } from '@app/connectors';
import { Idempotency } from '@app/persistence';
import type { ServiceDefinition } from '@app/runtime';

import { CommsModule } from './comms.module';
import { Comms1764000006000 } from './database/migrations/1764000006000-comms';
import { CommsIdempotency1765000006000 } from './database/migrations/1765000006000-comms-idempotency';
import { COMMS_ENTITIES } from './messages/comms.entities';

export class CommsConfig extends ConnectorCallerConfig {
  /** The gateway's URL as providers see it: status callback URLs (Twilio signs them) are built on it. */
  @Matches(/^https?:\/\/[^\s]+$/, {
    message: 'PUBLIC_BASE_URL must be an http(s) URL, e.g. https://integrations.example.com',
  })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** Largest body_html / body_text accepted, in UTF-8 bytes (413 beyond). */
  @IsInt()
  @Min(1024)
  @Max(700 * 1024)
  COMMS_MAX_HTML_BYTES = 256 * 1024;

  /** Deadline of one provider call; a timeout fails over to the next active provider. */
  @IsInt()
  @Min(500)
  @Max(60000)
  COMMS_PROVIDER_TIMEOUT_MS = 10000;

  /** How long an Idempotency-Key is remembered; older keys are purged and may be used again. */
  @IsInt()
  @Min(1000)
  @Max(30 * 86_400_000)
  COMMS_IDEMPOTENCY_TTL_MS = 86_400_000;
}

export const commsService: ServiceDefinition<CommsConfig> = {
  name: 'comms',
  defaultHttpPort: 3104,
  config: CommsConfig,
  module: CommsModule,
  entities: COMMS_ENTITIES,
  migrations: [Comms1764000006000, CommsIdempotency1765000006000],
  workers: [Idempotency],
};
