import type { NatsConnection } from '@nats-io/transport-node';
import type { Provider } from '@nestjs/common';

import { ProviderConfigCache } from '@app/connectors';
import { BusClient } from '@app/messaging';
import { INSTANCE, NATS_CONNECTION, type InstanceInfo } from '@app/runtime';

/** Provider configuration from the catalog, cached per replica and invalidated by the catalog's change events. */
export const providerConfigCacheProvider: Provider = {
  provide: ProviderConfigCache,
  inject: [BusClient, NATS_CONNECTION, INSTANCE],
  useFactory: (bus: BusClient, nc: NatsConnection, instance: InstanceInfo) =>
    new ProviderConfigCache(bus, nc, instance.prefix),
};
