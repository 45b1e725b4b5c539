// WIRE PROTOCOL: durable event subjects on JetStream (evt.<service>.<noun>.<past-tense>) and their payloads.
import { EndpointDisabledEventSchema, LeadFtdEventSchema } from './affiliates/affiliates.events';
import { ProviderChangedEventSchema } from './catalog/catalog.events';
import { type FromSchema, type JsonSchema } from './common/json-schema';
import { MessageStatusChangedEventSchema } from './comms/comms.events';
import {
  GatesReevaluatedEventSchema,
  KycStatusChangedEventSchema,
  KycWebhookRecordedEventSchema,
} from './kyc/kyc.events';
import { PaymentApprovedEventSchema, RoutingChangedEventSchema } from './payments/payments.events';

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

/** The payload schema of every subject: the runtime source of `EventMap` and of docs/asyncapi.yaml's payloads. */
export const eventPayloadSchemas = {
  [eventSubjects.catalogProviderChanged]: ProviderChangedEventSchema,
  [eventSubjects.paymentsDepositApproved]: PaymentApprovedEventSchema,
  [eventSubjects.paymentsWithdrawalApproved]: PaymentApprovedEventSchema,
  [eventSubjects.paymentsRoutingChanged]: RoutingChangedEventSchema,
  [eventSubjects.kycStatusChanged]: KycStatusChangedEventSchema,
  [eventSubjects.complianceGatesReevaluated]: GatesReevaluatedEventSchema,
  [eventSubjects.kycWebhookRecorded]: KycWebhookRecordedEventSchema,
  [eventSubjects.commsMessageStatusChanged]: MessageStatusChangedEventSchema,
  [eventSubjects.affiliatesLeadFtd]: LeadFtdEventSchema,
  [eventSubjects.affiliatesEndpointDisabled]: EndpointDisabledEventSchema,
  /** Any object: the outbox tests' own payloads. */
  [eventSubjects.systemProbeRecorded]: { type: 'object' },
} as const satisfies Record<EventSubject, JsonSchema>;

/** Each subject's payload type: what `OutboxWriter.add` accepts for it. */
export type EventMap = { [S in EventSubject]: FromSchema<(typeof eventPayloadSchemas)[S]> };
