import type { NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';

import { BusClient } from '@app/messaging';
import { Metrics } from '@app/observability';
import { INSTANCE, NATS_CONNECTION, SERVICE_CONFIG, type InstanceInfo } from '@app/runtime';

import { ProviderConfigCache } from './config-cache';
import type { ConnectorCallerConfig } from './guard/guard.config';
import { ProviderGuards } from './guard/provider-guard';
import { ProviderHealthPublisher } from './guard/provider-health';
import { ConnectorRegistry } from './registry';

/** The process's guards from its configuration, every call observed in connector_request_duration_seconds. */
export function guardsFromConfig(c: ConnectorCallerConfig, metrics?: Metrics): ProviderGuards {
  return new ProviderGuards(
    {
      failureThreshold: c.CONNECTOR_BREAKER_FAILURES,
      cooldownMs: c.CONNECTOR_BREAKER_COOLDOWN_MS,
      maxConcurrency: c.CONNECTOR_MAX_CONCURRENCY,
      retryAfterMaxMs: c.CONNECTOR_RETRY_AFTER_MAX_MS,
      windowMs: c.CONNECTOR_HEALTH_WINDOW_MS,
    },
    (provider, operation, outcome, seconds) =>
      metrics?.connectorRequestDuration.observe({ provider, operation, outcome }, seconds),
  );
}

/**
 * What a service that calls providers imports: its ProviderGuards, a ConnectorRegistry whose connectors
 * run under them, the publisher of their health to the catalog and (unless `configs: false`, for the
 * catalog, which owns the configurations) the ProviderConfigCache, which Nest subscribes to the catalog's
 * changes when the module starts and unsubscribes when it stops.
 */
@Module({})
export class ConnectorsModule {
  static forService(opts: { dirs?: string[]; configs?: boolean } = {}): DynamicModule {
    const providers: FactoryProvider[] = [
      {
        provide: ProviderGuards,
        inject: [SERVICE_CONFIG, Metrics],
        useFactory: (c: ConnectorCallerConfig, m: Metrics) => guardsFromConfig(c, m),
      },
      {
        provide: ConnectorRegistry,
        inject: [ProviderGuards],
        useFactory: (guards: ProviderGuards) => ConnectorRegistry.fromDirectories(opts.dirs, guards),
      },
      {
        provide: ProviderHealthPublisher,
        inject: [ProviderGuards, NATS_CONNECTION, INSTANCE, SERVICE_CONFIG],
        useFactory: (guards: ProviderGuards, nc: NatsConnection, i: InstanceInfo, c: ConnectorCallerConfig) =>
          new ProviderHealthPublisher(
            guards,
            nc,
            i.prefix,
            { service: i.service, instance: i.instanceId },
            c.CONNECTOR_HEALTH_PUBLISH_MS,
          ).start(),
      },
      ...(opts.configs === false
        ? []
        : [
            {
              provide: ProviderConfigCache,
              inject: [BusClient, NATS_CONNECTION, INSTANCE],
              useFactory: (bus: BusClient, nc: NatsConnection, i: InstanceInfo) =>
                new ProviderConfigCache(bus, nc, i.prefix),
            },
          ]),
    ];
    return { module: ConnectorsModule, providers, exports: providers.map((p) => p.provide) };
  }
}
