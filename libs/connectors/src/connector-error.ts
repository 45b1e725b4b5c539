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
    return this.options.retryable ?? ['rate_limited', 'provider_error', 'timeout', 'network'].includes(this.code);
  }
}
