import type {
  AffiliateIdRequest,
  AffiliateView,
  AttemptView,
  CreateLeadRequest,
  IntakeStatsView,
  LeadEventAccepted,
  LeadEventRequest,
  LeadView,
  ListDeliveriesRequest,
  RedeliverRequest,
  SetThresholdRequest,
  StatsView,
  ThresholdView,
  UpsertAffiliateRequest,
} from './affiliates.messages';

/** Request subjects of the affiliates service and their [request, reply] types (merged into RequestMap). */
export type AffiliatesRequests = {
  'affiliates.affiliates.upsert': [UpsertAffiliateRequest, AffiliateView];
  'affiliates.affiliates.get': [AffiliateIdRequest, AffiliateView];
  'affiliates.thresholds.set': [SetThresholdRequest, ThresholdView];
  'affiliates.thresholds.list': [Record<string, never>, { thresholds: ThresholdView[] }];
  'affiliates.leads.create': [CreateLeadRequest, LeadView];
  'affiliates.events.record': [LeadEventRequest, LeadEventAccepted];
  'affiliates.stats.get': [AffiliateIdRequest, StatsView];
  'affiliates.deliveries.list': [ListDeliveriesRequest, { deliveries: AttemptView[] }];
  'affiliates.deliveries.redeliver': [RedeliverRequest, { delivery_id: string; status: 'queued' }];
  'affiliates.intake.stats': [Record<string, never>, IntakeStatsView];
};
