import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';

import { Metrics } from '@app/observability';

/** The payments service's own metric names (<domain>_<what>_<unit>), registered on the process registry. */
@Injectable()
export class PaymentsMetrics {
  /** One per provider call opening a cashier session: outcome `ok` or the ConnectorError code. */
  readonly sessionAttempts: Counter<'gateway' | 'direction' | 'outcome'>;
  /** One per resolve: `ok`, `failover`, `refused`, `failed`, `unavailable`, by the first chosen gateway. */
  readonly resolutions: Counter<'gateway' | 'source' | 'outcome'>;
  /** One per callback: `applied`, `unchanged`, `stale`, `duplicate`, `parked`, `rejected`, `unknown_order`. */
  readonly notifications: Counter<'gateway' | 'outcome'>;
  /** One per notification answered 2xx but kept for an operator instead of applied, by why. */
  readonly parked: Counter<'provider' | 'reason'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.sessionAttempts = new Counter({
      name: 'payments_cashier_session_attempts_total',
      help: 'Cashier session calls to payment gateways by outcome',
      labelNames: ['gateway', 'direction', 'outcome'],
      registers,
    });
    this.resolutions = new Counter({
      name: 'payments_gateway_resolutions_total',
      help: 'Gateway resolutions by first chosen gateway, source and outcome',
      labelNames: ['gateway', 'source', 'outcome'],
      registers,
    });
    this.notifications = new Counter({
      name: 'payments_notifications_total',
      help: 'Payment provider callbacks by outcome',
      labelNames: ['gateway', 'outcome'],
      registers,
    });
    this.parked = new Counter({
      name: 'payments_callbacks_parked_total',
      help: 'Verified payment callbacks acknowledged but parked for an operator, by reason',
      labelNames: ['provider', 'reason'],
      registers,
    });
  }
}
