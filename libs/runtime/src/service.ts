import 'reflect-metadata';

import { randomUUID } from 'node:crypto';

import type { NatsConnection } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream, Logger } from 'pino';
import type { DataSource } from 'typeorm';

import type { ServiceName } from '@app/contracts';
import {
  AuditLog,
  AuditTrailTable1767000000000,
  BusClient,
  connectNats,
  ConsumerLag,
  ConsumerRegistry,
  DeadLetterService,
  DeadLetterTable1765000000000,
  ensureEventStream,
  EnvelopeRpcFilter,
  LedgerPurge,
  MessagingTables1764000000000,
  NatsRpcServer,
  OutboxRelay,
  OutboxWriter,
  ProcessedMessagesAge1766000000000,
} from '@app/messaging';
import { createLogger, Metrics, PinoNestLogger } from '@app/observability';
import { createServiceDataSource, initializeServiceDataSource, type PersistedClass } from '@app/persistence';

import { checkTracingConfig, ConfigError, loadConfig, ServiceConfig } from './config';
import { createDeadLettersController } from './dead-letters.controller';
import { startMetricsListener, type MetricsListener } from './metrics-listener';
import { MetricsController } from './metrics.controller';
import { OpsController } from './ops.controller';
import { describeConnectError } from './preflight';
import { installShutdown } from './shutdown';
import { createSystemController } from './system.controller';
import { DATA_SOURCE, INSTANCE, LOGGER, NATS_CONNECTION, SERVICE_CONFIG, type InstanceInfo } from './tokens';
import { createValidationPipe } from './validation';

/** Something a service runs beside its NATS handlers (durable consumers, schedulers). */
export interface BackgroundWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  defaultHttpPort: number;
  config: new () => C;
  module: Type<unknown> | DynamicModule;

  entities: PersistedClass[];

  migrations: PersistedClass[];
  /** Extra start-up checks of the configuration; throw a ConfigError-named error to refuse. */
  validate?: (config: C) => void;
  /** Classes (providers of `module`) implementing BackgroundWorker, started after the service is up. */
  workers?: Type<BackgroundWorker>[];
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where JSON log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Start the outbox relay (default true). */
  relay?: boolean;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  instanceId: string;
  config: C;
  app: NestFastifyApplication;
  url: string;
  /** Where /metrics is served: `url`, or the METRICS_PORT listener. */
  metricsUrl: string;
  nc: NatsConnection;
  dataSource: DataSource;
  relay: OutboxRelay;
  logger: Logger;
  stop(): Promise<void>;
}

@Global()
@Module({})
class InfrastructureModule {
  static with(values: Record<string | symbol, unknown>, classes: object[]): DynamicModule {
    const providers = [
      ...Object.getOwnPropertySymbols(values).map((token) => ({ provide: token, useValue: values[token] })),
      ...classes.map((instance) => ({ provide: instance.constructor, useValue: instance })),
    ];
    return { module: InfrastructureModule, providers, exports: providers.map((p) => p.provide) };
  }
}

/**
 * Boots one service: validated config, NATS (+ the event stream), Postgres (+ migrations), the NestJS
 * app with its NATS handlers in the service's queue group, /health and /metrics over HTTP, the outbox
 * relay and the service's background workers. stop() is the graceful shutdown.
 */
export async function startService<C extends ServiceConfig>(
  def: ServiceDefinition<C>,
  opts: StartOptions = {},
): Promise<RunningService<C>> {
  const env = opts.env ?? process.env;
  const config = loadConfig(def.config, env);
  checkTracingConfig(env, def.name);
  def.validate?.(config);
  const port = env.HTTP_PORT ? config.HTTP_PORT : def.defaultHttpPort;
  if (config.METRICS_PORT !== 0 && config.METRICS_PORT === port)
    throw new ConfigError([`METRICS_PORT must differ from the HTTP port (${port})`]);
  const instanceId = `${def.name}-${randomUUID().slice(0, 8)}`;
  const logger = createLogger(def.name, opts.logDestination).child({ instance_id: instanceId });
  logger.level = config.LOG_LEVEL;
  const prefix = config.NATS_SUBJECT_PREFIX;

  const nc = await connectNats({
    url: config.NATS_URL,
    name: instanceId,
    app: def.name,
    user: config.NATS_USER,
    pass: config.NATS_PASSWORD,
  }).catch((err: unknown) => {
    throw describeConnectError('NATS', config.NATS_URL, err);
  });
  const dataSource = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: def.name,
    poolSize: config.DB_POOL_SIZE,
    entities: def.entities,
    migrations: [
      MessagingTables1764000000000,
      DeadLetterTable1765000000000,
      ProcessedMessagesAge1766000000000,
      AuditTrailTable1767000000000,
      ...def.migrations,
    ],
  });
  try {
    await ensureEventStream(nc, prefix, { replicas: config.EVENTS_STREAM_REPLICAS });
    await initializeServiceDataSource(dataSource).catch((err: unknown) => {
      throw describeConnectError('Postgres', config.DATABASE_URL, err);
    });
  } catch (err) {
    await nc.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    throw err;
  }

  const metrics = new Metrics(def.name);
  const bus = new BusClient({ nc, prefix, timeoutMs: config.NATS_REQUEST_TIMEOUT_MS, metrics });
  const outbox = new OutboxWriter();
  const relay = new OutboxRelay({ dataSource, nc, schema: def.name, prefix, logger, metrics });
  const instance: InstanceInfo = { service: def.name, instanceId, prefix };
  // durable consumers register here as they start; replays of their dead letters find them here
  const consumers = new ConsumerRegistry();
  const audit = new AuditLog(dataSource, def.name);
  const deadLetters = new DeadLetterService({ dataSource, registry: consumers, audit, logger });
  metrics.countParkedWith(async () => ({
    counts: await deadLetters.store.countParked(),
    consumers: consumers.names(),
  }));
  const lag = new ConsumerLag(nc, prefix);
  metrics.countPendingWith(() => lag.pending(consumers.names()));
  const ledgerPurge = new LedgerPurge({
    dataSource,
    nc,
    prefix,
    retentionMs: config.CONSUMER_LEDGER_RETENTION_MS,
    logger,
  });

  @Module({
    imports: [
      InfrastructureModule.with(
        {
          [DATA_SOURCE]: dataSource,
          [NATS_CONNECTION]: nc,
          [LOGGER]: logger,
          [SERVICE_CONFIG]: config,
          [INSTANCE]: instance,
        },
        [metrics, bus, outbox, relay, consumers, deadLetters, audit],
      ),
      def.module,
    ],
    controllers: [
      OpsController,
      ...(config.METRICS_PORT ? [] : [MetricsController]),
      createSystemController(def.name),
      createDeadLettersController(def.name),
    ],
  })
  class ServiceRootModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    ServiceRootModule,
    new FastifyAdapter({ bodyLimit: 1 << 20 }),
    {
      logger: new PinoNestLogger(logger),
    },
  );
  const server = new NatsRpcServer({
    nc,
    prefix,
    queue: def.name,
    logger,
    metrics,
    // deploy/nats/users.conf holds only when NATS checks who publishes: with a NATS login (libs/messaging's gateway-validated.ts)
    trustGatewayValidation: config.NATS_USER !== '',
  });
  // registered on the app before connecting, and inherited: the microservice is initialised on connect
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new EnvelopeRpcFilter(logger));
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(port, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const url = `http://${config.HTTP_HOST}:${typeof address === 'object' && address ? address.port : port}`;
  let metricsListener: MetricsListener | null = null;
  try {
    if (config.METRICS_PORT)
      metricsListener = await startMetricsListener({
        port: config.METRICS_PORT,
        host: config.HTTP_HOST,
        registry: metrics.registry,
      });
  } catch (err) {
    await app.close();
    await nc.close();
    await dataSource.destroy();
    throw err;
  }

  const workers = (def.workers ?? []).map((w) => app.get(w, { strict: false }));
  if (opts.relay !== false) await relay.start();
  for (const w of workers) await w.start();
  ledgerPurge.start();
  logger.info(
    { url, metrics: metricsListener ? `${metricsListener.url}/metrics` : undefined, prefix: prefix || undefined },
    `${def.name} service started`,
  );

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: draining NATS subscriptions and in-flight work');
      for (const w of [...workers].reverse())
        await w.stop().catch((err: unknown) => logger.warn({ err }, 'worker stop failed'));
      await app.close(); // closes the NATS handlers (drain + wait for in-flight) and the HTTP server
      await deadLetters.idle();
      await ledgerPurge.stop();
      await relay.stop();
      await nc.drain().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      await metricsListener?.close();
      logger.info('stopped');
    })());

  return {
    name: def.name,
    instanceId,
    config,
    app,
    url,
    metricsUrl: metricsListener?.url ?? url,
    nc,
    dataSource,
    relay,
    logger,
    stop,
  };
}

/** Entry point of a service process: exits with a clear message on bad config or unreachable dependencies. */
export function runServiceMain<C extends ServiceConfig>(def: ServiceDefinition<C>): void {
  startService(def).then(
    (svc) => installShutdown(() => svc.stop(), svc.config.SHUTDOWN_TIMEOUT_MS, svc.logger),
    (err: Error) => {
      process.stderr.write(`${def.name}: ${err.message}\n`);
      process.exit(err.name === 'ConfigError' ? 2 : 1);
    },
  );
}

export { VaultModule, withVaultKeys } from './vault.module';
