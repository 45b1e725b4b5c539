import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

import { currentContext } from './context';

/**
 * Paths pino censors wherever they appear in a log object. Secrets also never reach a logger on purpose:
 * this is the second line of defence.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'api_key',
  'apiKey',
  'authorization',
  'credentials',
  '*.password',
  '*.secret',
  '*.token',
  '*.api_key',
  '*.apiKey',
  '*.authorization',
  '*.credentials',
  '*.auth_token',
  '*.api_secret',
  '*.client_secret',
  '*.refresh_token',
  '*.merchant_secret',
  '*.app_token',
  '*.secret_key',
  '*.webhook_secret',
  '*.access_token',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  '*.*.password',
  '*.*.secret',
  '*.*.api_key',
  '*.*.auth_token',
  '*.*.credentials',
];

/** Fields of a Postgres error that name the schema objects involved, never a value. */
const DB_ERROR_FIELDS = ['code', 'severity', 'schema', 'table', 'column', 'constraint', 'dataType', 'routine'] as const;

type DbError = Error & { query?: unknown; parameters?: unknown; driverError?: Record<string, unknown> } & Record<
    string,
    unknown
  >;

/** A pg DatabaseError, or TypeORM's QueryFailedError around one. */
function isDbError(err: unknown): err is DbError {
  if (!(err instanceof Error)) return false;
  const e = err as DbError;
  const driver = e.driverError ?? e;
  return (
    (typeof driver.code === 'string' && typeof driver.severity === 'string') || ('query' in e && 'parameters' in e)
  );
}

/**
 * Database errors are logged with the query text and the error code only. Their parameters, Postgres's
 * `detail` (`Key (email)=(...) already exists`) and even the message (`invalid input syntax for type
 * integer: "..."`) can carry the values of the query: recipient addresses, names, tokens.
 */
export function serializeError(err: unknown): unknown {
  if (!isDbError(err)) return pino.stdSerializers.err(err as Error);
  const driver = err.driverError ?? err;
  const out: Record<string, unknown> = { type: err.constructor?.name ?? err.name };
  for (const field of DB_ERROR_FIELDS) if (typeof driver[field] === 'string') out[field] = driver[field];
  out.message = `database query failed${typeof out.code === 'string' && out.code ? ` (${out.code})` : ''}`;
  if (typeof err.query === 'string') out.query = err.query;
  // the stack's first line repeats the message; the frames below it are only code locations
  if (err.stack)
    out.stack = [
      `${String(out.type)}: ${String(out.message)}`,
      ...err.stack.split('\n').filter((l) => /^\s+at /.test(l)),
    ].join('\n');
  return out;
}

export function createLogger(service: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: serializeError },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const ctx = currentContext();
        return ctx ? { request_id: ctx.requestId, ...(ctx.traceId ? { trace_id: ctx.traceId } : {}) } : {};
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** NestJS LoggerService on top of pino, so framework messages are JSON lines with the request id too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, ...(trace ? { trace } : {}) }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
