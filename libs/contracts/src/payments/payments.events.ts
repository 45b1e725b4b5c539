// WIRE PROTOCOL: events of the payments service; each schema is published in docs/asyncapi.yaml.
import {
  dateTimeSchema,
  enumSchema,
  nullable,
  objectSchema,
  stringSchema,
  uuidSchema,
  type FromSchema,
} from '../common/json-schema';
import { PAYMENT_DIRECTIONS } from './payments.messages';

/** evt.payments.routing.changed: every replica reloads its routing table. */
export const RoutingChangedEventSchema = objectSchema(
  {
    action: enumSchema(['route_put', 'route_deleted', 'default_set'] as const),
    country: nullable(stringSchema),
    at: dateTimeSchema,
    /** The instance that made the change; it reloaded already, so it skips its own announcements. */
    origin: stringSchema,
  },
  ['origin'],
);
export type RoutingChangedEvent = FromSchema<typeof RoutingChangedEventSchema>;

/** evt.payments.deposit.approved and evt.payments.withdrawal.approved */
export const PaymentApprovedEventSchema = objectSchema({
  order_id: uuidSchema,
  direction: enumSchema(PAYMENT_DIRECTIONS),
  customer_id: nullable(stringSchema),
  country: stringSchema,
  /** Decimal string in major units, e.g. "150.00". */
  amount: nullable(stringSchema),
  currency: stringSchema,
  gateway: stringSchema,
  provider_transaction_id: nullable(stringSchema),
  approved_at: dateTimeSchema,
});
export type PaymentApprovedEvent = FromSchema<typeof PaymentApprovedEventSchema>;
