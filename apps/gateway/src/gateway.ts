import 'reflect-metadata';

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

import type { NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { DestinationStream, Logger } from 'pino';

import { BusClient, connectNats } from '@app/messaging';
import { createLogger, Metrics, PinoNestLogger } from '@app/observability';
import {
  checkTracingConfig,
  ConfigError,
  createValidationPipe,
  describeConnectError,
  loadConfig,
  startMetricsListener,
  type MetricsListener,
} from '@app/runtime';

import { AffiliatesController } from './affiliates/affiliates.controller';
import { CatalogController } from './catalog/catalog.controller';
import { CommsController } from './comms/comms.controller';
import { DiagnosticsController } from './diagnostics/diagnostics.controller';
import { GatewayConfig } from './gateway.config';
import { GatewayRuntime } from './gateway.runtime';
import { ApiKeyRing } from './http/auth';
import { registerConsoleRoutes } from './http/console';
import { BusLink, installRateLimit, installShedding, LinkAwareBusClient } from './http/overload';
import { installPipeline, jsonBodyParser } from './http/pipeline';
import { problem, PROBLEM_CONTENT_TYPE } from './http/problem';
import { ProblemFilter } from './http/problem.filter';
import { KycController } from './kyc/kyc.controller';
import { describeApi } from './openapi';
import { AuditController } from './ops/audit.controller';
import { DeadLettersController } from './ops/dead-letters.controller';
import { MetricsController } from './ops/metrics.controller';
import { OpsController } from './ops/ops.controller';
import { PaymentsController } from './payments/payments.controller';
import { registerWebhookRoutes } from './webhooks/webhook.routes';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  /** Where /metrics is served: `url`, or the METRICS_PORT listener. */
  metricsUrl: string;
  config: GatewayConfig;
  nc: NatsConnection;
  logger: Logger;
  stop(): Promise<void>;
}

/** The controllers of the public surface; each capability adds its own here. */
const CONTROLLERS = [
  OpsController,
  DiagnosticsController,
  CatalogController,
  PaymentsController,
  KycController,
  CommsController,
  AffiliatesController,
  DeadLettersController,
  AuditController,
];

/** The gateway's Nest module; `providers` are the instances its controllers ask for, by class. */
export function gatewayModule(
  providers: { provide: abstract new (...args: never[]) => unknown; useValue: unknown }[],
  metricsOnPort: boolean,
): DynamicModule {
  @Module({})
  class GatewayModule {}
  return {
    module: GatewayModule,
    controllers: [...CONTROLLERS, ...(metricsOnPort ? [MetricsController] : [])],
    providers,
  };
}

/**
 * Timeouts that cut off slow clients (a trickled request holds a socket and its buffered body). Node
 * enforces the header and request deadlines only when it sweeps its connections, every 30 s by default,
 * so the sweep runs at a tenth of the shorter deadline (at most once a second).
 */
function connectionLimits(config: GatewayConfig) {
  if (config.GATEWAY_HEADERS_TIMEOUT_MS > config.GATEWAY_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(['GATEWAY_HEADERS_TIMEOUT_MS must not exceed GATEWAY_REQUEST_TIMEOUT_MS']);
  }
  const sweepMs = Math.min(1000, Math.max(25, Math.floor(config.GATEWAY_HEADERS_TIMEOUT_MS / 10)));
  return {
    requestTimeout: config.GATEWAY_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.GATEWAY_HEADERS_TIMEOUT_MS,
      requestTimeout: config.GATEWAY_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: sweepMs,
    },
    clientErrorHandler,
  };
}

/** Errors on a connection before a request reaches Fastify (a timeout, oversized headers), as problem+json. */
function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large']
        : [400, 'Malformed HTTP request'];
  const body = JSON.stringify(problem(status, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * The public HTTP surface (docs/api.md): Fastify, platform-key auth, validation listing every bad field,
 * problem+json errors, body limit, OpenAPI at /docs and /docs-json, /health, /metrics (on METRICS_PORT when set). It holds no
 * business state: every call goes to a service over NATS request-reply.
 */
export async function startGateway(
  opts: { env?: NodeJS.ProcessEnv; logDestination?: DestinationStream } = {},
): Promise<RunningGateway> {
  const config = loadConfig(GatewayConfig, opts.env ?? process.env);
  checkTracingConfig(opts.env ?? process.env, 'gateway');
  config.PUBLIC_BASE_URL ||= `http://127.0.0.1:${config.PORT}`;
  const logger = createLogger('gateway', opts.logDestination);
  logger.level = config.LOG_LEVEL;
  const nc = await connectNats({
    url: config.NATS_URL,
    name: 'gateway',
    app: 'gateway',
    user: config.NATS_USER,
    pass: config.NATS_PASSWORD,
  }).catch((err: unknown) => {
    throw describeConnectError('NATS', config.NATS_URL, err);
  });
  const metrics = new Metrics('gateway');
  const link = new BusLink(nc, logger);
  const bus = new LinkAwareBusClient(
    { nc, prefix: config.NATS_SUBJECT_PREFIX, timeoutMs: config.NATS_REQUEST_TIMEOUT_MS, metrics },
    link,
  );
  const runtime = new GatewayRuntime(nc, config, logger);

  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: true,
    return503OnClosing: true,
    ...connectionLimits(config),
    // long path parameters (a provider key, a customer id) reach the handlers and get their 404s
    routerOptions: { maxParamLength: 1024 },
    // errors Fastify raises before routing (an undecodable URL) are problem+json like the rest
    frameworkErrors: (err: Error, _req: unknown, reply: FastifyReply) => {
      void reply
        .status(400)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(problem(400, `Malformed request: ${err.message}`));
    },
  });
  adapter.useBodyParser(
    'application/json',
    false,
    { bodyLimit: config.BODY_LIMIT_BYTES },
    jsonBodyParser(adapter.getInstance()),
  );
  const limits = {
    maxInFlight: config.GATEWAY_MAX_IN_FLIGHT,
    maxEventLoopDelayMs: config.GATEWAY_MAX_EVENT_LOOP_DELAY_MS,
    rateLimitPerMinute: config.GATEWAY_RATE_LIMIT_PER_MINUTE,
  };
  installPipeline(adapter.getInstance(), { keys: new ApiKeyRing(config.PLATFORM_API_KEYS), logger, metrics });
  // right after the request id and key check, before the body is read or anything reaches the bus
  const shedTotal = installShedding(adapter.getInstance(), { limits, metrics, bus: link });
  installRateLimit(adapter.getInstance(), { limits, shedTotal });
  registerWebhookRoutes(adapter.getInstance(), { bus, publicBaseUrl: config.PUBLIC_BASE_URL, logger });
  registerConsoleRoutes(adapter.getInstance(), { dir: config.CONSOLE_DIR || undefined });
  const app = await NestFactory.create<NestFastifyApplication>(
    gatewayModule(
      [
        // controllers ask for a BusClient: the gateway's link-aware one is provided as that
        { provide: BusClient, useValue: bus },
        { provide: Metrics, useValue: metrics },
        { provide: GatewayRuntime, useValue: runtime },
      ],
      config.METRICS_PORT === 0,
    ),
    adapter,
    { logger: new PinoNestLogger(logger) },
  );
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(logger));
  const document = describeApi(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  // Node closes a socket past the cap at once, before it is read: many clients cannot pile up buffers
  app.getHttpServer().maxConnections = config.GATEWAY_MAX_CONNECTIONS;
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  let metricsListener: MetricsListener | null = null;
  try {
    if (config.METRICS_PORT)
      metricsListener = await startMetricsListener({
        port: config.METRICS_PORT,
        host: config.HOST,
        registry: metrics.registry,
      });
  } catch (err) {
    await app.close();
    await nc.close();
    throw err;
  }
  const metricsUrl = metricsListener?.url ?? url;
  logger.info({ url, docs: `${url}/docs`, metrics: `${metricsUrl}/metrics` }, 'gateway started');

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      await nc.drain().catch(() => undefined);
      await metricsListener?.close();
    })());
  return { app, url, metricsUrl, config, nc, logger, stop };
}
