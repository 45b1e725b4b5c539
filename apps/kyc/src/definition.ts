import { Idempotency } from '@app/persistence';
import type { ServiceDefinition } from '@app/runtime/service';
import { KeyRing } from '@app/vault';

import { Kyc1764000005000 } from './database/migrations/1764000005000-kyc';
import { KycIdempotency1765000005000 } from './database/migrations/1765000005000-kyc-idempotency';
import { KycVerificationUrl1766000005000 } from './database/migrations/1766000005000-kyc-verification-url';
import { KycConfig } from './kyc.config';
import { KycModule } from './kyc.module';
import { ReconciliationJob } from './reconcile/reconciliation.job';
import { KYC_ENTITIES } from './records/kyc.entities';
import { WebhookProcessorWorker } from './webhooks/webhook-processor.worker';

export const kycService: ServiceDefinition<KycConfig> = {
  name: 'kyc',
  defaultHttpPort: 3103,
  config: KycConfig,
  module: KycModule,
  entities: KYC_ENTITIES,
  migrations: [Kyc1764000005000, KycIdempotency1765000005000, KycVerificationUrl1766000005000],
  workers: [WebhookProcessorWorker, ReconciliationJob, Idempotency],
  validate: (c) => {
    KeyRing.fromEnv(c.VAULT_MASTER_KEYS);
  },
};
