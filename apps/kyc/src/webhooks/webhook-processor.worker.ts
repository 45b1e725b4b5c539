import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { eventSubjects, type KycWebhookRecordedEvent } from '@app/contracts';
import { ConsumerRegistry, DurableConsumer } from '@app/messaging';
import { Metrics } from '@app/observability';
import {
  consumerRetryOptions,
  DATA_SOURCE,
  INSTANCE,
  LOGGER,
  NATS_CONNECTION,
  SERVICE_CONFIG,
  type InstanceInfo,
} from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import type { KycConfig } from '../kyc.config';
import { ProcessWebhookEvent, type PreparedWebhook } from './process-webhook';

/**
 * The order key of a webhook event: its customer, else its applicant. Events recorded before the key
 * was carried share one key (handled one after another, as before).
 */
export function webhookOrderKey(e: KycWebhookRecordedEvent): string {
  if (e.customer_id) return `customer:${e.customer_id}`;
  if (e.provider_id) return `applicant:${e.provider}:${e.provider_id}`;
  return e.customer_id === undefined && e.provider_id === undefined ? 'unkeyed' : `event:${e.event_id}`;
}

/**
 * Consumes evt.kyc.webhook.recorded (one durable shared by the replicas) and processes each event:
 * KYC_CONSUMER_CONCURRENCY at once, those of one customer in order; the applicant fetch before the
 * transaction that applies it.
 */
@Injectable()
export class WebhookProcessorWorker implements BackgroundWorker {
  private consumer: DurableConsumer<KycWebhookRecordedEvent, PreparedWebhook> | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(INSTANCE) private readonly instance: InstanceInfo,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) private readonly config: KycConfig,
    private readonly metrics: Metrics,
    private readonly process: ProcessWebhookEvent,
    private readonly registry: ConsumerRegistry,
  ) {}

  async start(): Promise<void> {
    this.consumer = new DurableConsumer<KycWebhookRecordedEvent, PreparedWebhook>({
      nc: this.nc,
      dataSource: this.ds,
      prefix: this.instance.prefix,
      durable: 'kyc-webhook-processor',
      filterSubject: eventSubjects.kycWebhookRecorded,
      logger: this.logger,
      metrics: this.metrics,
      registry: this.registry,
      ...consumerRetryOptions(this.config),
      // applicant-fetch retries are deliveries too: the last fetch attempt applies without details, before any parking
      maxDeliveries: Math.max(this.config.CONSUMER_MAX_DELIVERIES, this.config.KYC_ENRICH_MAX_ATTEMPTS),
      retryDelayMs: this.config.KYC_ENRICH_RETRY_MS,
      concurrency: this.config.KYC_CONSUMER_CONCURRENCY,
      orderKey: (event) => webhookOrderKey(event.data),
      prepare: (event) => this.process.prepare(event.data.event_id, event.deliveryCount),
      handler: (event, m, prepared) => this.process.execute(m, event.data.event_id, prepared),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
