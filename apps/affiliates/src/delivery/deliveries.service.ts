import { Injectable } from '@nestjs/common';

import type { AttemptView, LeadEventName, StatsView } from '@app/contracts';

import { AffiliateErrors } from '../affiliates.errors';
import { AffiliatesRepository } from '../affiliates/affiliates.repository';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryLanes } from './delivery-lanes';
import { StatsRepository } from './stats.repository';

export const DEFAULT_DELIVERIES_LIMIT = 50;

/** Stats, the attempt log and manual redelivery. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly affiliates: AffiliatesRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly stats: StatsRepository,
    private readonly lanes: DeliveryLanes,
  ) {}

  async statsOf(affiliateId: string): Promise<StatsView> {
    await this.mustExist(affiliateId);
    const s = await this.stats.stats(affiliateId);
    const total = Number(s.total);
    return {
      success_rate: total ? Number(s.ok) / total : null,
      avg_latency_ms: s.avg_latency === null ? null : Math.round(Number(s.avg_latency) * 10) / 10,
      last_failure_reason: s.last_error,
      last_failure_at: s.last_failure_at?.toISOString() ?? null,
      delivered_batches: Number(s.delivered),
      failed_attempts: total - Number(s.ok),
      pending_events: Number(s.pending_events) + Number(s.in_flight_events),
      suppressed_events: Number(s.suppressed),
      unconvertible_events: Number(s.unconvertible),
      total_attempts: total,
    };
  }

  async list(affiliateId: string, limit = DEFAULT_DELIVERIES_LIMIT): Promise<{ deliveries: AttemptView[] }> {
    await this.mustExist(affiliateId);
    const rows = await this.stats.attempts(affiliateId, limit);
    return {
      deliveries: rows.map((r) => ({
        delivery_id: r.delivery_id,
        attempt: r.attempt,
        event: r.event as LeadEventName,
        lead_count: r.lead_count,
        status_code: r.status_code,
        latency_ms: r.latency_ms,
        error: r.error,
        at: r.at.toISOString(),
        manual: r.manual,
        response_snippet: r.response_snippet,
      })),
    };
  }

  /** Sends the batch again as soon as its lane is free, with the same webhook-id. */
  async redeliver(affiliateId: string, deliveryId: string): Promise<{ delivery_id: string; status: 'queued' }> {
    const a = await this.mustExist(affiliateId);
    if (!a.is_active) throw AffiliateErrors.inactive(affiliateId);
    if (!(await this.deliveries.requeue(affiliateId, deliveryId))) throw AffiliateErrors.unknownDelivery(deliveryId);
    this.lanes.wake();
    return { delivery_id: deliveryId, status: 'queued' };
  }

  private async mustExist(affiliateId: string) {
    const a = await this.affiliates.find(affiliateId);
    if (!a) throw AffiliateErrors.unknownAffiliate(affiliateId);
    return a;
  }
}
