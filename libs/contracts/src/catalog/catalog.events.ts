// WIRE PROTOCOL: events of the catalog service; each schema is published in docs/asyncapi.yaml.
import {
  dateTimeSchema,
  enumSchema,
  nullable,
  objectSchema,
  stringSchema,
  type FromSchema,
} from '../common/json-schema';
import { PROVIDER_CATEGORIES } from './catalog.messages';

/** evt.catalog.provider.changed */
export const ProviderChangedEventSchema = objectSchema({
  key: stringSchema,
  category: enumSchema(PROVIDER_CATEGORIES),
  action: enumSchema([
    'activated',
    'deactivated',
    'credentials_updated',
    'settings_updated',
    'default_changed',
  ] as const),
  status: enumSchema(['active', 'inactive'] as const),
  /** The category's default provider after the change. */
  default_provider: nullable(stringSchema),
  version: { type: 'integer' },
  at: dateTimeSchema,
});
export type ProviderChangedEvent = FromSchema<typeof ProviderChangedEventSchema>;
