import type {
  AffiliateIdRequest,
  AffiliatePageReply,
  AffiliateView,
  CreateLeadRequest,
  DeliveryListView,
  IntakeStatsView,
  LeadEventAccepted,
  LeadEventRequest,
  LeadView,
  ListAffiliatesRequest,
  ListDeliveriesRequest,
  RedeliverRequest,
  RedeliveryQueued,
  SetThresholdRequest,
  StatsView,
  ThresholdListView,
  ThresholdView,
  UpsertAffiliateRequest,
} from './affiliates.messages';

/** Request subjects of the affiliates service and their [request, reply] types (merged into RequestMap). */
export type AffiliatesRequests = {
  'affiliates.affiliates.upsert': [UpsertAffiliateRequest, AffiliateView];
  'affiliates.affiliates.get': [AffiliateIdRequest, AffiliateView];
  'affiliates.affiliates.list': [ListAffiliatesRequest, AffiliatePageReply];
  'affiliates.thresholds.set': [SetThresholdRequest, ThresholdView];
  'affiliates.thresholds.list': [Record<string, never>, ThresholdListView];
  'affiliates.leads.create': [CreateLeadRequest, LeadView];
  'affiliates.events.record': [LeadEventRequest, LeadEventAccepted];
  'affiliates.stats.get': [AffiliateIdRequest, StatsView];
  'affiliates.deliveries.list': [ListDeliveriesRequest, DeliveryListView];
  'affiliates.deliveries.redeliver': [RedeliverRequest, RedeliveryQueued];
  'affiliates.intake.stats': [Record<string, never>, IntakeStatsView];
};
