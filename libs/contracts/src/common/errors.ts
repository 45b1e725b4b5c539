import { ApiProperty } from '@nestjs/swagger';

// Error codes cross NATS in one envelope; the gateway maps each to one HTTP status (apps/gateway/src/http/problem.ts).
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthorized = 'UNAUTHORIZED',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  ProviderRefused = 'PROVIDER_REFUSED',
  ProviderFailed = 'PROVIDER_FAILED',
  Unavailable = 'SERVICE_UNAVAILABLE',
  Timeout = 'TIMEOUT',
  Internal = 'INTERNAL',
}

export class FieldError {
  @ApiProperty({ example: 'credentials.api_key', description: 'Dotted path of the field' }) field!: string;
  @ApiProperty({ example: 'is required' }) message!: string;
}

/** The error envelope every NATS reply carries on failure. Never holds a secret or a stack. */
export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
  details?: Record<string, unknown>;
}

/** A domain error a service throws; the transport turns it into an ErrorEnvelope. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toEnvelope(): ErrorEnvelope {
    return {
      code: this.code,
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromEnvelope(e: ErrorEnvelope): DomainError {
    return new DomainError(e.code, e.message, e.errors, e.details);
  }
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorEnvelope).code === 'string' &&
    typeof (value as ErrorEnvelope).message === 'string'
  );
}
