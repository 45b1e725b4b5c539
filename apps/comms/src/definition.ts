import { Idempotency } from '@app/persistence';
import type { ServiceDefinition } from '@app/runtime/service';

import { CommsConfig } from './comms.config';
import { CommsModule } from './comms.module';
import { Comms1764000006000 } from './database/migrations/1764000006000-comms';
import { CommsIdempotency1765000006000 } from './database/migrations/1765000006000-comms-idempotency';
import { CommsReplayParts1768000006000 } from './database/migrations/1768000006000-comms-replay-parts';

export const commsService: ServiceDefinition<CommsConfig> = {
  name: 'comms',
  defaultHttpPort: 3104,
  config: CommsConfig,
  module: CommsModule,
  entities: [],
  migrations: [Comms1764000006000, CommsIdempotency1765000006000, CommsReplayParts1768000006000],
  workers: [Idempotency],
};
