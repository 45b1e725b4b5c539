// WIRE PROTOCOL: events of the affiliates service; each schema is published in docs/asyncapi.yaml.
import { dateTimeSchema, objectSchema, stringSchema, type FromSchema } from '../common/json-schema';

/** evt.affiliates.lead.ftd */
export const LeadFtdEventSchema = objectSchema({
  affiliate_id: stringSchema,
  affiliate_lead_id: stringSchema,
  customer_id: stringSchema,
  country: stringSchema,
  /** Major units, as a JSON number. */
  amount: { type: 'number' },
  currency: stringSchema,
  ftd_at: dateTimeSchema,
});
export type LeadFtdEvent = FromSchema<typeof LeadFtdEventSchema>;

/** evt.affiliates.endpoint.disabled */
export const EndpointDisabledEventSchema = objectSchema({
  affiliate_id: stringSchema,
  reason: stringSchema,
  disabled_at: dateTimeSchema,
});
export type EndpointDisabledEvent = FromSchema<typeof EndpointDisabledEventSchema>;
