import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { ConnectorsModule } from '@app/connectors';
import { Idempotency, PgIdempotencyStore } from '@app/persistence';
import { DATA_SOURCE, LOGGER, SERVICE_CONFIG } from '@app/runtime';
import { VaultModule } from '@app/runtime/service';
import { Vault } from '@app/vault';

import { ApplicantsController } from './applicants/applicants.controller';
import { ApplicantsService } from './applicants/applicants.service';
import { KycProviders } from './connectors/kyc-providers';
import { ApplyKycDecision } from './decisions/apply-decision';
import { gatePolicyProvider } from './gates/gates.policy';
import type { KycConfig } from './kyc.config';
import { ReconcileApplicant } from './reconcile/reconcile-applicant';
import { ReconciliationJob } from './reconcile/reconciliation.job';
import { EventsRepository } from './records/events.repository';
import { RecordsController } from './records/records.controller';
import { RecordsRepository } from './records/records.repository';
import { RecordsService } from './records/records.service';
import { InternalWebhookService } from './webhooks/internal-webhook.service';
import { ProcessWebhookEvent } from './webhooks/process-webhook';
import { WebhookIntakeService } from './webhooks/webhook-intake.service';
import { WebhookProcessorWorker } from './webhooks/webhook-processor.worker';
import { WebhooksController } from './webhooks/webhooks.controller';

/** The kyc service: applicants, KYC webhooks, status mapping, the five compliance gates. */
@Module({
  imports: [ConnectorsModule.forService(), VaultModule],
  controllers: [ApplicantsController, RecordsController, WebhooksController],
  providers: [
    gatePolicyProvider,
    KycProviders,
    RecordsRepository,
    EventsRepository,
    {
      provide: Idempotency,
      inject: [DATA_SOURCE, SERVICE_CONFIG, Vault, LOGGER],
      useFactory: (ds: DataSource, c: KycConfig, vault: Vault, logger: Logger) =>
        new Idempotency(new PgIdempotencyStore(ds), {
          ttlMs: c.KYC_IDEMPOTENCY_TTL_MS,
          // the answer holds the provider's access token: sealed by the vault like any other secret
          sealer: {
            seal: (plain, recordId) => vault.encrypt(plain, { recordId, field: 'response' }),
            open: (sealed, recordId) => vault.decrypt(sealed, { recordId, field: 'response' }),
          },
          waitMs: 10_000,
          logger,
        }),
    },
    ApplicantsService,
    RecordsService,
    ApplyKycDecision,
    WebhookIntakeService,
    InternalWebhookService,
    ProcessWebhookEvent,
    WebhookProcessorWorker,
    ReconcileApplicant,
    ReconciliationJob,
  ],
})
export class KycModule {}
