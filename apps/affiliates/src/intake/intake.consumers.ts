import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';

import { eventSubjects, type KycStatusChangedEvent } from '@app/contracts';
import { ConsumerRegistry, DurableConsumer, type DeliveredEvent } from '@app/messaging';
import { Metrics } from '@app/observability';
import {
  consumerRetryOptions,
  DATA_SOURCE,
  INSTANCE,
  LOGGER,
  NATS_CONNECTION,
  SERVICE_CONFIG,
  type InstanceInfo,
  type ServiceConfig,
} from '@app/runtime';
import { type BackgroundWorker } from '@app/runtime/service';

import { depositIntake, type DepositApprovedEvent } from './deposit-event';
import { IntakeService, type IntakeEvent } from './intake.service';

/** Events per intake transaction at most (a batch is whatever arrived while the previous one committed). */
const BATCH_MAX = 500;

/**
 * Intake from the bus: approved deposits and KYC approvals, each a durable consumer shared by the
 * replicas, in batch mode (one transaction per batch: intake needs thousands of events/s).
 */
@Injectable()
export class IntakeConsumers implements BackgroundWorker {
  private readonly consumers: Pick<DurableConsumer, 'start' | 'stop'>[];

  constructor(
    private readonly intake: IntakeService,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INSTANCE) instance: InstanceInfo,
    metrics: Metrics,
    registry: ConsumerRegistry,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    const base = {
      nc,
      dataSource,
      prefix: instance.prefix,
      logger,
      metrics,
      registry,
      ...consumerRetryOptions(config),
    };
    this.consumers = [
      new DurableConsumer<DepositApprovedEvent>({
        ...base,
        durable: 'affiliates-deposits',
        filterSubject: eventSubjects.paymentsDepositApproved,
        batch: { max: BATCH_MAX, handler: (events, m) => this.handle(events, m, depositIntake) },
      }),
      new DurableConsumer<KycStatusChangedEvent>({
        ...base,
        durable: 'affiliates-kyc',
        filterSubject: eventSubjects.kycStatusChanged,
        batch: { max: BATCH_MAX, handler: (events, m) => this.handle(events, m, kycIntake) },
      }),
    ];
  }

  async start(): Promise<void> {
    for (const c of this.consumers) await c.start();
  }

  async stop(): Promise<void> {
    for (const c of this.consumers) await c.stop();
  }

  private async handle<T>(
    events: DeliveredEvent<T>[],
    m: EntityManager,
    toIntake: (e: T) => IntakeEvent | string | null,
  ): Promise<void> {
    const batch: IntakeEvent[] = [];
    let malformed = 0;
    for (const e of events) {
      const r = toIntake(e.data);
      if (typeof r === 'string') {
        malformed++;
        this.logger.warn({ event_id: e.id, subject: e.subject, problem: r }, 'malformed event skipped');
      } else if (r) batch.push(r);
    }
    if (malformed) await this.intake.countIgnored(m, 'malformed', malformed);
    if (batch.length) await this.intake.record(batch, m);
  }
}

/** An approval (not a repeated one) is lead.kyc_approved; other KYC changes mean nothing to affiliates. */
function kycIntake(e: KycStatusChangedEvent): IntakeEvent | string | null {
  if (typeof e?.customer_id !== 'string' || !e.customer_id) return 'customer_id missing';
  if (e.status !== 'approved' || e.previous_status === 'approved') return null;
  const at = e.at ? new Date(e.at) : new Date();
  return {
    customer_id: e.customer_id,
    event: 'lead.kyc_approved',
    occurred_at: Number.isNaN(at.getTime()) ? new Date() : at,
  };
}
