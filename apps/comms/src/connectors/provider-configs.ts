import type { NatsConnection } from '@nats-io/transport-node';
import type { Provider } from '@nestjs/common';

import { guardedConnectorProviders, ProviderConfigCache } from '@app/connectors';
import { BusClient } from '@app/messaging';
import { INSTANCE, NATS_CONNECTION, type InstanceInfo } from '@app/runtime';

/** The provider configuration cache (invalidated by evt.catalog.provider.changed) and the guarded connector registry. */
export const PROVIDER_INFRA: Provider[] = [
  {
    provide: ProviderConfigCache,
    inject: [BusClient, NATS_CONNECTION, INSTANCE],
    useFactory: (bus: BusClient, nc: NatsConnection, instance: InstanceInfo) => {
      const cache = new ProviderConfigCache(bus, nc, instance.prefix);
      cache.start();
      return cache;
    },
  },
  ...guardedConnectorProviders(),
];
