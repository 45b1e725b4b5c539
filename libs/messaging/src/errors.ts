import { BadRequestException, HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

import { DomainError, ErrorCode, isErrorEnvelope, type ErrorEnvelope } from '@app/contracts';

/**
 * Turns anything a handler threw into the wire envelope. Only DomainErrors and validation failures
 * carry their message across; anything else is an internal error whose details stay in the local log.
 */
export function toErrorEnvelope(err: unknown): ErrorEnvelope {
  if (err instanceof DomainError) return err.toEnvelope();
  if (err instanceof RpcException) {
    const inner = err.getError();
    if (isOurEnvelope(inner)) return inner;
  }
  if (err instanceof BadRequestException) {
    const body = err.getResponse() as { message?: unknown };
    return { code: ErrorCode.ValidationFailed, message: 'Invalid request', details: { message: body.message } };
  }
  if (err instanceof HttpException) return { code: ErrorCode.Internal, message: 'Internal error' };
  if (isOurEnvelope(err)) return err;
  if (isDependencyDown(err))
    return { code: ErrorCode.Unavailable, message: 'A dependency of the service is unavailable; try again' };
  return { code: ErrorCode.Internal, message: 'Internal error' };
}

/** Socket errors, and Postgres's connection-exception (08) and shutdown/start-up (57P01-03) classes. */
const DOWN_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|EAI_AGAIN|08\d{3}|57P0[1-3])$/;
// the last two: TypeORM releases a transaction's connection when that connection errors (Postgres shut
// down under it), and the transaction's next query or its commit then throws one of these
const DOWN_MESSAGES = new RegExp(
  '^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error' +
    '|Query runner already released|Database connection provided by a query runner was already released)',
);

/**
 * The database (or another dependency) cannot be reached: the caller may retry, so it is a 503, not a
 * 500. Looks through TypeORM's `driverError`, `cause` and AggregateError's `errors`.
 */
export function isDependencyDown(err: unknown, depth = 0): boolean {
  if (!(err instanceof Object) || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && DOWN_CODES.test(e.code)) return true;
  if (err instanceof Error && DOWN_MESSAGES.test(err.message)) return true;
  const inner = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  return inner.some((x) => isDependencyDown(x, depth + 1));
}

const CODES = new Set<string>(Object.values(ErrorCode));

/**
 * An envelope our own filter produced: a plain object with one of our codes. A Node, pg or undici error
 * also has a string `code` and `message`; passing those on would leak internals and skip the log line.
 */
function isOurEnvelope(value: unknown): value is ErrorEnvelope {
  return isErrorEnvelope(value) && !(value instanceof Error) && CODES.has(value.code);
}
