import { Module } from '@nestjs/common';

import { ConnectorsModule } from '@app/connectors';
import { VaultModule } from '@app/runtime';

import { ApplicantsController } from './applicants/applicants.controller';
import { ApplicantsService } from './applicants/applicants.service';
import { IdempotencyRepository } from './applicants/idempotency.repository';
import { IdempotencyService } from './applicants/idempotency.service';
import { ApplyKycDecision } from './decisions/apply-decision';
import { gatePolicyProvider } from './gates/gates.policy';
import { KycProviders } from './providers/kyc-providers';
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
    IdempotencyRepository,
    IdempotencyService,
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
