// WIRE PROTOCOL: durable event subjects on JetStream (evt.<service>.<noun>.<past-tense>).
export const EVENTS_STREAM = 'EVENTS';
export const EVENTS_SUBJECT_ROOT = 'evt';

export const eventSubjects = {
  catalogProviderChanged: 'evt.catalog.provider.changed',
  paymentsDepositApproved: 'evt.payments.deposit.approved',
  paymentsWithdrawalApproved: 'evt.payments.withdrawal.approved',
  paymentsRoutingChanged: 'evt.payments.routing.changed',
  kycStatusChanged: 'evt.kyc.status.changed',
  complianceGatesReevaluated: 'evt.compliance.gates.reevaluated',
  /** Internal to kyc: a provider webhook is recorded; enrichment and the decision follow asynchronously. */
  kycWebhookRecorded: 'evt.kyc.webhook.recorded',
  commsMessageStatusChanged: 'evt.comms.message.status_changed',
  affiliatesLeadFtd: 'evt.affiliates.lead.ftd',
  affiliatesEndpointDisabled: 'evt.affiliates.endpoint.disabled',
  /** Used by the foundation's own tests and benchmarks of the outbox path. */
  systemProbeRecorded: 'evt.system.probe.recorded',
} as const;
export type EventSubject = (typeof eventSubjects)[keyof typeof eventSubjects];
