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
    if (isErrorEnvelope(inner)) return inner;
  }
  if (err instanceof BadRequestException) {
    const body = err.getResponse() as { message?: unknown };
    return { code: ErrorCode.ValidationFailed, message: 'Invalid request', details: { message: body.message } };
  }
  if (err instanceof HttpException) return { code: ErrorCode.Internal, message: 'Internal error' };
  if (isErrorEnvelope(err)) return err;
  return { code: ErrorCode.Internal, message: 'Internal error' };
}

export function isInternal(envelope: ErrorEnvelope): boolean {
  return envelope.code === ErrorCode.Internal;
}
