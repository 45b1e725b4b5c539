import type { LoggerService } from '@nestjs/common';
import pino, { type Logger, type DestinationStream } from 'pino';
import { currentContext } from './context';

/**
 * Paths pino censors wherever they appear in a log object. Secrets also never reach a logger on purpose:
 * this is the second line of defence.
 */
export const REDACT_PATHS = [
  'password', 'secret', 'token', 'api_key', 'apiKey', 'authorization', 'credentials',
  '*.password', '*.secret', '*.token', '*.api_key', '*.apiKey', '*.authorization', '*.credentials',
  '*.auth_token', '*.api_secret', '*.client_secret', '*.refresh_token', '*.merchant_secret',
  '*.app_token', '*.secret_key', '*.webhook_secret', '*.access_token',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers["x-api-key"]',
  '*.*.password', '*.*.secret', '*.*.api_key', '*.*.auth_token', '*.*.credentials',
];

export function createLogger(service: string, destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
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
  log(message: unknown, context?: string) { this.logger.info({ context }, String(message)); }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, ...(trace ? { trace } : {}) }, String(message));
  }
  warn(message: unknown, context?: string) { this.logger.warn({ context }, String(message)); }
  debug(message: unknown, context?: string) { this.logger.debug({ context }, String(message)); }
  verbose(message: unknown, context?: string) { this.logger.trace({ context }, String(message)); }
  fatal(message: unknown, context?: string) { this.logger.fatal({ context }, String(message)); }
}
