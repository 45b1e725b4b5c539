import type { ServiceDefinition } from '@app/runtime/service';
import { KeyRing } from '@app/vault';

import { AffiliatesConfig } from './affiliates.config';
import { AffiliatesModule } from './affiliates.module';
import { Affiliates1764000005000 } from './database/migrations/1764000005000-affiliates';
import { DeliveryLanes } from './delivery/delivery-lanes';
import { FlushScheduler } from './delivery/flush-scheduler';
import { IntakeConsumers } from './intake/intake.consumers';

export const affiliatesService: ServiceDefinition<AffiliatesConfig> = {
  name: 'affiliates',
  defaultHttpPort: 3105,
  config: AffiliatesConfig,
  module: AffiliatesModule,
  entities: [],
  migrations: [Affiliates1764000005000],
  // started in this order, stopped in reverse: deliveries last to stop
  workers: [DeliveryLanes, FlushScheduler, IntakeConsumers],
  /** Fails before any connection is opened when the vault keys are missing or malformed. */
  validate: (c) => {
    KeyRing.fromEnv(c.VAULT_MASTER_KEYS);
  },
};
