import type { NatsConnection } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { BusClient } from '@app/messaging';
import { Metrics } from '@app/observability';
import { ConfigError, INSTANCE, loadConfig, NATS_CONNECTION, SERVICE_CONFIG } from '@app/runtime';

import { ProviderConfigCache } from './config-cache';
import { ConnectorError } from './connector-error';
import { ConnectorsModule, guardsFromConfig } from './connectors.module';
import { ConnectorCallerConfig } from './guard/guard.config';
import { ConnectorRegistry } from './registry';

describe('ConnectorCallerConfig', () => {
  it('has generous defaults and reads the CONNECTOR_* variables', () => {
    expect(loadConfig(ConnectorCallerConfig, {})).toMatchObject({
      CONNECTOR_BREAKER_FAILURES: 5,
      CONNECTOR_BREAKER_COOLDOWN_MS: 30_000,
      CONNECTOR_MAX_CONCURRENCY: 32,
      CONNECTOR_RETRY_AFTER_MAX_MS: 300_000,
      CONNECTOR_HEALTH_WINDOW_MS: 60_000,
      CONNECTOR_HEALTH_PUBLISH_MS: 5000,
    });
    expect(
      loadConfig(ConnectorCallerConfig, { CONNECTOR_BREAKER_FAILURES: '2', CONNECTOR_MAX_CONCURRENCY: '8' }),
    ).toMatchObject({ CONNECTOR_BREAKER_FAILURES: 2, CONNECTOR_MAX_CONCURRENCY: 8 });
  });

  it('refuses values that cannot work, naming the variable', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(ConnectorCallerConfig, env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ CONNECTOR_BREAKER_FAILURES: '0' }).join()).toMatch(/CONNECTOR_BREAKER_FAILURES/);
    expect(problems({ CONNECTOR_MAX_CONCURRENCY: 'lots' }).join()).toMatch(
      /CONNECTOR_MAX_CONCURRENCY must be a number/,
    );
    expect(problems({ CONNECTOR_BREAKER_COOLDOWN_MS: '5' }).join()).toMatch(/CONNECTOR_BREAKER_COOLDOWN_MS/);
    expect(problems({ CONNECTOR_HEALTH_PUBLISH_MS: '1.5' }).join()).toMatch(/CONNECTOR_HEALTH_PUBLISH_MS/);
  });
});

describe('guardsFromConfig', () => {
  it('observes every call in connector_request_duration_seconds by provider, operation and outcome', async () => {
    const metrics = new Metrics('test', { defaultMetrics: false });
    const guards = guardsFromConfig(loadConfig(ConnectorCallerConfig, { CONNECTOR_BREAKER_FAILURES: '1' }), metrics);
    await guards.for('sendgrid').run('email.send', () => Promise.resolve('ok'));
    await guards
      .for('sendgrid')
      .run('email.send', () => Promise.reject(new ConnectorError('timeout', 'no answer from api.sendgrid.com')))
      .catch(() => undefined);
    await guards
      .for('sendgrid')
      .run('email.send', () => Promise.resolve('never'))
      .catch(() => undefined);
    const text = await metrics.registry.metrics();
    for (const outcome of ['ok', 'timeout', 'breaker_open']) {
      expect(text).toContain(
        `connector_request_duration_seconds_count{service="test",provider="sendgrid",operation="email.send",outcome="${outcome}"} 1`,
      );
    }
  });
});

describe('ConnectorsModule.forService', () => {
  /** A service's infrastructure with a NATS connection that records subscriptions and opens no socket. */
  function service(module: DynamicModule) {
    const subscribed: string[] = [];
    const unsubscribed: string[] = [];
    const nc = {
      subscribe: (subject: string) => {
        subscribed.push(subject);
        return { unsubscribe: () => unsubscribed.push(subject) };
      },
      status: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => undefined) }) }),
      isClosed: () => false,
      publish: () => undefined,
    } as unknown as NatsConnection;
    @Global()
    @Module({
      providers: [
        { provide: SERVICE_CONFIG, useValue: loadConfig(ConnectorCallerConfig, {}) },
        { provide: NATS_CONNECTION, useValue: nc },
        { provide: INSTANCE, useValue: { service: 'comms', instanceId: 'comms-1', prefix: 'p1' } },
        { provide: Metrics, useValue: new Metrics('test', { defaultMetrics: false }) },
        { provide: BusClient, useValue: {} },
      ],
      exports: [SERVICE_CONFIG, NATS_CONNECTION, INSTANCE, Metrics, BusClient],
    })
    class Infra {}
    @Module({ imports: [Infra, module] })
    class Root {}
    return { root: Root, subscribed, unsubscribed };
  }

  it('gives the registry and the config cache, subscribed to catalog changes while the app runs', async () => {
    const s = service(ConnectorsModule.forService());
    const app = await NestFactory.createApplicationContext(s.root, { logger: false });
    expect(app.get(ConnectorRegistry).get('sendgrid')?.manifest.category).toBe('email');
    expect(app.get(ProviderConfigCache)).toBeInstanceOf(ProviderConfigCache);
    expect(s.subscribed).toEqual(['p1.evt.catalog.provider.changed']);
    expect(s.unsubscribed).toEqual([]);
    await app.close();
    expect(s.unsubscribed).toEqual(['p1.evt.catalog.provider.changed']);
  });

  it('gives the catalog no config cache with `configs: false`', async () => {
    const s = service(ConnectorsModule.forService({ configs: false }));
    const app = await NestFactory.createApplicationContext(s.root, { logger: false });
    expect(() => app.get(ProviderConfigCache)).toThrow();
    expect(s.subscribed).toEqual([]);
    await app.close();
  });
});
