// WIRE PROTOCOL: events of the kyc service; each schema is published in docs/asyncapi.yaml.
import {
  dateTimeSchema,
  enumSchema,
  nullable,
  objectSchema,
  recordSchema,
  stringSchema,
  uuidSchema,
  type FromSchema,
} from '../common/json-schema';
import { GATE_NAMES, GATE_RESULTS, KYC_DOC_TYPE_VALUES, KYC_STATUS_VALUES } from './kyc.messages';

const status = enumSchema(KYC_STATUS_VALUES);
const gate = enumSchema(GATE_RESULTS);

/** evt.kyc.status.changed */
export const KycStatusChangedEventSchema = objectSchema({
  customer_id: uuidSchema,
  provider: stringSchema,
  provider_id: nullable(stringSchema),
  status,
  previous_status: nullable(status),
  provider_status: nullable(stringSchema),
  doc_type: nullable(enumSchema(KYC_DOC_TYPE_VALUES)),
  doc_country: nullable(stringSchema),
  reject_labels: { type: 'array', items: stringSchema },
  source: enumSchema(['webhook', 'internal', 'reconciliation'] as const),
  at: dateTimeSchema,
});
export type KycStatusChangedEvent = FromSchema<typeof KycStatusChangedEventSchema>;

export const GATES_TRIGGERS = ['kyc_approved', 'kyc_status_changed', 'kyc_details_changed'] as const;
export type GatesTrigger = (typeof GATES_TRIGGERS)[number];

/** evt.compliance.gates.reevaluated */
export const GatesReevaluatedEventSchema = objectSchema({
  customer_id: uuidSchema,
  gates: recordSchema(GATE_NAMES, gate),
  all_passed: { type: 'boolean' },
  trigger: enumSchema(GATES_TRIGGERS),
  status,
  previous_status: nullable(status),
  provider: stringSchema,
  at: dateTimeSchema,
});
export type GatesReevaluatedEvent = FromSchema<typeof GatesReevaluatedEventSchema>;

/** evt.kyc.webhook.recorded: a provider webhook is durable; the kyc service enriches and applies it. */
export const KycWebhookRecordedEventSchema = objectSchema(
  {
    event_id: uuidSchema,
    provider: stringSchema,
    /** The customer the webhook names, when it names one, and the provider's applicant id: the processing order key. */
    customer_id: nullable(stringSchema),
    provider_id: nullable(stringSchema),
  },
  ['customer_id', 'provider_id'],
);
export type KycWebhookRecordedEvent = FromSchema<typeof KycWebhookRecordedEventSchema>;
