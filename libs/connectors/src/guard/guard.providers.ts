import type { NatsConnection } from '@nats-io/transport-node';
import type { Provider } from '@nestjs/common';

import { Metrics } from '@app/observability';
import { INSTANCE, NATS_CONNECTION, SERVICE_CONFIG, type InstanceInfo } from '@app/runtime';

import { ConnectorRegistry } from '../registry';
import type { ConnectorCallerConfig } from './guard.config';
import { ProviderGuards } from './provider-guard';
import { ProviderHealthPublisher } from './provider-health';

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
 * The Nest providers of a service that calls providers: its ProviderGuards, a ConnectorRegistry whose
 * connectors run under them, and the publisher of their health to the catalog. `load` builds the
 * registry (the platform's connector directory by default).
 */
export function guardedConnectorProviders(
  load: (guards: ProviderGuards) => ConnectorRegistry = (guards) => ConnectorRegistry.fromDirectory(undefined, guards),
): Provider[] {
  return [
    {
      provide: ProviderGuards,
      inject: [SERVICE_CONFIG, Metrics],
      useFactory: (c: ConnectorCallerConfig, m: Metrics) => guardsFromConfig(c, m),
    },
    { provide: ConnectorRegistry, inject: [ProviderGuards], useFactory: load },
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
  ];
}
