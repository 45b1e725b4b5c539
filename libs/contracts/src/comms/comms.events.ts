// WIRE PROTOCOL: events of the comms service; each schema is published in docs/asyncapi.yaml.
import {
  dateTimeSchema,
  enumSchema,
  nullable,
  objectSchema,
  stringSchema,
  uuidSchema,
  type FromSchema,
} from '../common/json-schema';
import { COMMS_CHANNELS, COMMS_STATUSES } from './comms.messages';

const status = enumSchema(COMMS_STATUSES);

/** evt.comms.message.status_changed */
export const MessageStatusChangedEventSchema = objectSchema({
  /** Our id; the call id for a call. */
  message_id: uuidSchema,
  channel: enumSchema(COMMS_CHANNELS),
  provider: stringSchema,
  provider_message_id: nullable(stringSchema),
  customer_id: nullable(stringSchema),
  event_type: nullable(stringSchema),
  status,
  previous_status: nullable(status),
  provider_status: stringSchema,
  at: dateTimeSchema,
});
export type MessageStatusChangedEvent = FromSchema<typeof MessageStatusChangedEventSchema>;
