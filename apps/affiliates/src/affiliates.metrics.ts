import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

import { Metrics } from '@app/observability';

/** The affiliates service's own metrics, on the service registry (labels never carry ids or secrets). */
@Injectable()
export class AffiliatesMetrics {
  readonly intake: Counter<'outcome'>;
  readonly ignored: Counter<'reason'>;
  readonly attempts: Counter<'outcome'>;
  readonly attemptDuration: Histogram<'outcome'>;
  readonly batches: Counter<'event'>;
  readonly laneLeasesLost: Counter;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.intake = new Counter({
      name: 'affiliates_intake_events_total',
      help: 'Lead events by outcome (the queued event, suppressed, ignored)',
      labelNames: ['outcome'],
      registers,
    });
    this.ignored = new Counter({
      name: 'affiliates_intake_ignored_total',
      help: 'Lead events ignored, by reason (unattributed, non_positive_amount, malformed)',
      labelNames: ['reason'],
      registers,
    });
    this.attempts = new Counter({
      name: 'affiliates_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'affiliates_delivery_attempt_duration_seconds',
      help: 'Webhook POST latency',
      labelNames: ['outcome'],
      registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    });
    this.batches = new Counter({
      name: 'affiliates_batches_created_total',
      help: 'Batches created by flushes',
      labelNames: ['event'],
      registers,
    });
    this.laneLeasesLost = new Counter({
      name: 'affiliates_lane_leases_lost_total',
      help: 'Delivery lanes this replica stopped because it could not renew their lease in time',
      registers,
    });
  }
}
