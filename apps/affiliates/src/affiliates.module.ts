import { Module } from '@nestjs/common';

import { SsrfGuard } from '@app/connectors';
import { SERVICE_CONFIG } from '@app/runtime';
import { VaultModule } from '@app/runtime/service';

import type { AffiliatesConfig } from './affiliates.config';
import { AffiliatesMetrics } from './affiliates.metrics';
import { AffiliatesController } from './affiliates/affiliates.controller';
import { AffiliatesRepository } from './affiliates/affiliates.repository';
import { AffiliatesService } from './affiliates/affiliates.service';
import { AttemptService } from './delivery/attempt.service';
import { BatchesRepository } from './delivery/batches.repository';
import { DeliveriesRepository } from './delivery/deliveries.repository';
import { DeliveriesService } from './delivery/deliveries.service';
import { DeliveryLanes } from './delivery/delivery-lanes';
import { DeliveryController } from './delivery/delivery.controller';
import { FlushScheduler } from './delivery/flush-scheduler';
import { RetryPolicy } from './delivery/retry-policy';
import { StatsRepository } from './delivery/stats.repository';
import { WebhookSender } from './delivery/webhook-sender';
import { IntakeConsumers } from './intake/intake.consumers';
import { IntakeController } from './intake/intake.controller';
import { IntakeService } from './intake/intake.service';
import { LeadsRepository } from './intake/leads.repository';
import { LeadsService } from './intake/leads.service';
import { FxRates } from './thresholds/fx-rates';
import { ThresholdsController } from './thresholds/thresholds.controller';
import { ThresholdsRepository } from './thresholds/thresholds.repository';
import { ThresholdsService } from './thresholds/thresholds.service';

const fromConfig = <T>(make: (c: AffiliatesConfig) => T) => ({ inject: [SERVICE_CONFIG], useFactory: make });

/** Affiliates, thresholds, intake (API and bus), batching and signed delivery. */
@Module({
  imports: [VaultModule],
  controllers: [AffiliatesController, ThresholdsController, IntakeController, DeliveryController],
  providers: [
    AffiliatesMetrics,
    AffiliatesRepository,
    AffiliatesService,
    ThresholdsRepository,
    ThresholdsService,
    LeadsRepository,
    LeadsService,
    IntakeService,
    IntakeConsumers,
    BatchesRepository,
    DeliveriesRepository,
    StatsRepository,
    DeliveriesService,
    AttemptService,
    DeliveryLanes,
    FlushScheduler,
    {
      provide: SsrfGuard,
      ...fromConfig((c) => SsrfGuard.fromConfig(c.AFFILIATE_ALLOWED_HOSTS, c.AFFILIATE_ALLOW_HTTP)),
    },
    {
      provide: WebhookSender,
      inject: [SsrfGuard, SERVICE_CONFIG],
      useFactory: (g: SsrfGuard, c: AffiliatesConfig) => new WebhookSender(g, c.AFFILIATE_REQUEST_TIMEOUT_MS),
    },
    {
      provide: RetryPolicy,
      ...fromConfig((c) =>
        RetryPolicy.parse(c.AFFILIATE_RETRY_SCHEDULE_MS, c.AFFILIATE_RETRY_JITTER, c.AFFILIATE_MAX_RETRY_AFTER_MS),
      ),
    },
    { provide: FxRates, ...fromConfig((c) => FxRates.parse(c.AFFILIATE_FX_RATES)) },
  ],
})
export class AffiliatesModule {}
