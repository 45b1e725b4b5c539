import 'reflect-metadata';

import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  validateSync,
} from 'class-validator';

import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_LEDGER_RETENTION_MS,
  EVENTS_STREAM_MAX_AGE_MS,
  MIN_LEDGER_RETENTION_MS,
} from '@app/messaging';
import { tracingSettings } from '@app/observability';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a config class whose property names are the environment variable names and whose initialisers
 * are the defaults. Values are coerced to the default's type; validation failures name the variable,
 * never its value (it may be a secret).
 */
export function loadConfig<T extends object>(Cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const config = new Cls() as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    const fallback = config[key];
    if (typeof fallback === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) problems.push(`${key} must be a number`);
      else config[key] = n;
    } else if (typeof fallback === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) problems.push(`${key} must be true or false`);
      else config[key] = raw === 'true' || raw === '1';
    } else {
      config[key] = raw;
    }
  }
  for (const error of validateSync(config as object, { forbidUnknownValues: false })) {
    const messages = Object.values(error.constraints ?? {});
    problems.push(`${error.property}: ${messages.join('; ')}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return config as T;
}

/** The OTEL_* variables (read by startTracing in each main.ts), refused here too so a bad value stops the boot. */
export function checkTracingConfig(env: NodeJS.ProcessEnv, serviceName: string): void {
  try {
    tracingSettings(env, serviceName);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
}

type Decorator = (target: object, property: string) => void;
const all =
  (...decorators: Decorator[]): Decorator =>
  (target, property) => {
    for (const d of decorators) d(target, property);
  };

/**
 * NATS_USER / NATS_PASSWORD: optional (a local unauthenticated NATS for `npm start` and tests), but
 * one without the other is a mistake the server would only report as a refused connection.
 */
export const NatsUser = (): Decorator =>
  all(
    ValidateIf((o: { NATS_USER: string; NATS_PASSWORD: string }) => o.NATS_USER !== '' || o.NATS_PASSWORD !== ''),
    IsNotEmpty({ message: 'NATS_USER must be set when NATS_PASSWORD is' }),
    Matches(/^[A-Za-z0-9_-]*$/, { message: 'NATS_USER must be letters, digits, _ or -' }),
  );
export const NatsPassword = (): Decorator =>
  all(
    ValidateIf((o: { NATS_USER: string }) => o.NATS_USER !== ''),
    IsNotEmpty({ message: 'NATS_PASSWORD must be set when NATS_USER is' }),
    // the deployment templates' placeholders contain spaces: a pod started with one exits here
    Matches(/^\S*$/, { message: 'NATS_PASSWORD must not contain whitespace (is it still a placeholder?)' }),
  );

/**
 * METRICS_PORT: 0 (the default) serves /metrics on the process's own port; a port number serves it on a
 * listener of its own there instead (not on the public port). It must differ from `mainPort`'s value.
 */
export const MetricsPort = (mainPort: string): Decorator =>
  all(
    IsInt(),
    Min(0),
    Max(65535),
    ValidateBy({
      name: 'differsFrom',
      validator: {
        validate: (value: unknown, args) =>
          value === 0 || value !== (args?.object as Record<string, unknown>)[mainPort],
        defaultMessage: () => `METRICS_PORT must differ from ${mainPort} (or be 0 to serve /metrics on ${mainPort})`,
      },
    }),
  );

/** Variables every service reads. */
export class ServiceConfig {
  @Matches(/^(nats|tls|ws|wss):\/\/[^\s]+$/, { message: 'NATS_URL must be a nats:// URL, e.g. nats://127.0.0.1:4222' })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** This service's NATS user (deploy/nats/users.conf); empty for an unauthenticated local NATS. */
  @NatsUser()
  NATS_USER = '';

  @NatsPassword()
  NATS_PASSWORD = '';

  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'DATABASE_URL must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/postgres',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  @Matches(/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/, {
    message: 'NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, _ or -',
  })
  NATS_SUBJECT_PREFIX = '';

  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 0;

  @IsString()
  HTTP_HOST = '127.0.0.1';

  /** /metrics on a listener of its own at this port (same host), and no longer on HTTP_PORT; 0: on HTTP_PORT. */
  @MetricsPort('HTTP_PORT')
  METRICS_PORT = 0;

  @IsInt()
  @Min(50)
  @Max(120000)
  NATS_REQUEST_TIMEOUT_MS = 5000;

  @IsInt()
  @Min(100)
  @Max(120000)
  SHUTDOWN_TIMEOUT_MS = 10000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Replicas of the EVENTS JetStream stream (each service ensures it at start): 1 on one NATS server, 3 on a 3-node cluster. */
  @IsInt()
  @Min(1)
  @Max(5)
  EVENTS_STREAM_REPLICAS = 1;

  /** Deliveries of a failing event before its durable consumer parks it as a dead letter. */
  @IsInt()
  @Min(1)
  @Max(100)
  CONSUMER_MAX_DELIVERIES = 5;

  /** Delay after a consumer's first failed delivery; it doubles after each further one. */
  @IsInt()
  @Min(10)
  @Max(3600000)
  CONSUMER_RETRY_BASE_MS = 1000;

  /** The longest delay between two deliveries of a failing event. */
  @IsInt()
  @Min(10)
  @Max(86400000)
  CONSUMER_RETRY_MAX_MS = 60000;

  /** JetStream ack_wait of every durable: how soon a killed replica's unacked messages are offered again (working() keeps live ones). */
  @IsInt()
  @Min(1000)
  @Max(300000)
  CONSUMER_ACK_WAIT_MS = DEFAULT_ACK_WAIT_MS;

  /** Processed-message ids are forgotten after this; never before the EVENTS stream could redeliver them (its max_age plus a day). */
  @IsInt()
  @Min(MIN_LEDGER_RETENTION_MS, {
    message: `CONSUMER_LEDGER_RETENTION_MS must be at least the EVENTS stream's max_age (${EVENTS_STREAM_MAX_AGE_MS} ms) plus one day: ${MIN_LEDGER_RETENTION_MS}`,
  })
  @Max(3650 * 86400000)
  CONSUMER_LEDGER_RETENTION_MS = DEFAULT_LEDGER_RETENTION_MS;
}

/** A durable consumer's retry options from the service configuration. */
export function consumerRetryOptions(c: ServiceConfig): {
  maxDeliveries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  ackWaitMs: number;
} {
  return {
    maxDeliveries: c.CONSUMER_MAX_DELIVERIES,
    retryDelayMs: c.CONSUMER_RETRY_BASE_MS,
    maxRetryDelayMs: c.CONSUMER_RETRY_MAX_MS,
    ackWaitMs: c.CONSUMER_ACK_WAIT_MS,
  };
}
