import { DomainError, ErrorCode } from '@app/contracts';

export type ConnectorErrorCode =
  /** The provider refused the credentials (401/403). */
  | 'auth'
  /** The provider refused the request (other 4xx): final, not retried. */
  | 'refused'
  /** 429. */
  | 'rate_limited'
  /** 5xx, or an answer we cannot read. */
  | 'provider_error'
  | 'timeout'
  | 'network'
  /** Not called: the provider's circuit breaker is open (it has been failing) or a half-open probe is in flight. */
  | 'circuit_open'
  /** Not called: this process already has its concurrency limit of calls in flight to the provider. */
  | 'overloaded'
  /** The stored configuration cannot work (a required field missing). */
  | 'invalid_config'
  /** An inbound webhook failed verification. */
  | 'bad_signature';

/** The only error a connector throws: vendor errors are mapped to it and never leak their own types. */
export class ConnectorError extends Error {
  constructor(
    readonly code: ConnectorErrorCode,
    /** Human-readable, from the provider where it said why; never holds a credential. */
    message: string,
    readonly options: { retryable?: boolean; httpStatus?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
  }

  get retryable(): boolean {
    return (
      this.options.retryable ??
      ['rate_limited', 'provider_error', 'timeout', 'network', 'circuit_open', 'overloaded'].includes(this.code)
    );
  }
}

/**
 * A connector failure as the API reports it, the same in every service: the provider's refusal (auth or
 * another 4xx) is 422 with its reason, a configuration that cannot work is 409, anything else (5xx,
 * timeout, network, 429, an open circuit breaker) is 502, a provider call refused for load (the concurrency
 * limit) is 503. Errors that are already domain errors pass through.
 */
export function toDomainError(
  provider: string,
  err: unknown,
  details: Record<string, unknown> = { provider },
): DomainError {
  if (err instanceof DomainError) return err;
  if (!(err instanceof ConnectorError))
    return new DomainError(ErrorCode.ProviderFailed, `${provider}: the provider call failed`, undefined, details);
  switch (err.code) {
    case 'auth':
    case 'refused':
      return new DomainError(ErrorCode.ProviderRefused, `${provider} refused: ${err.message}`, undefined, {
        ...details,
        provider_status: err.options.httpStatus,
      });
    case 'invalid_config':
      return new DomainError(ErrorCode.Conflict, `${provider}: ${err.message}`, undefined, details);
    case 'overloaded':
      return new DomainError(ErrorCode.Unavailable, `${provider} unavailable: ${err.message}`, undefined, details);
    default:
      return new DomainError(ErrorCode.ProviderFailed, `${provider} failed: ${err.message}`, undefined, details);
  }
}
