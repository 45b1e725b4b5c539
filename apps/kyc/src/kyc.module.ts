import type { NatsConnection } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';

import { guardedConnectorProviders, ProviderConfigCache } from '@app/connectors';
import { BusClient } from '@app/messaging';
import { INSTANCE, NATS_CONNECTION, SERVICE_CONFIG, type InstanceInfo } from '@app/runtime';
import { KeyRing, Vault } from '@app/vault';

import { ApplicantsController } from './applicants/applicants.controller';
import { ApplicantsService } from './applicants/applicants.service';
import { IdempotencyRepository } from './applicants/idempotency.repository';
import { IdempotencyService } from './applicants/idempotency.service';
import { ConfigCacheWorker } from './connectors/config-cache.worker';
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
  controllers: [ApplicantsController, RecordsController, WebhooksController],
  providers: [
    ...guardedConnectorProviders(),
    {
      provide: ProviderConfigCache,
      inject: [BusClient, NATS_CONNECTION, INSTANCE],
      useFactory: (bus: BusClient, nc: NatsConnection, i: InstanceInfo) => new ProviderConfigCache(bus, nc, i.prefix),
    },
    gatePolicyProvider,
    {
      provide: Vault,
      inject: [SERVICE_CONFIG],
      useFactory: (c: KycConfig) => new Vault(KeyRing.fromEnv(c.VAULT_MASTER_KEYS)),
    },
    KycProviders,
    ConfigCacheWorker,
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
