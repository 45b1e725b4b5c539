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
  return { code: ErrorCode.Internal, message: 'Internal error' };
}

const CODES = new Set<string>(Object.values(ErrorCode));

/**
 * An envelope our own filter produced: a plain object with one of our codes. A Node, pg or undici error
 * also has a string `code` and `message`; passing those on would leak internals and skip the log line.
 */
function isOurEnvelope(value: unknown): value is ErrorEnvelope {
  return isErrorEnvelope(value) && !(value instanceof Error) && CODES.has(value.code);
}

export function isInternal(envelope: ErrorEnvelope): boolean {
  return envelope.code === ErrorCode.Internal;
}
