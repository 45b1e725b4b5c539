import { DomainError, ErrorCode, type FieldError, type PaymentDirection } from '@app/contracts';
import { ConnectorError } from '@app/connectors';

export const PaymentsErrors = {
  invalid: (errors: FieldError[]) => new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors),
  noRoute: (country: string) => new DomainError(ErrorCode.NotFound, `No route for country ${country}`),
  nothingServes: (country: string, direction: PaymentDirection) =>
    new DomainError(ErrorCode.Unavailable, `No active payment gateway can serve ${direction} in ${country}: no usable route and no active default`),
  unknownProvider: (key: string) => new DomainError(ErrorCode.NotFound, `No payment webhook endpoint for ${key}`),
  unknownOrder: (key: string) => new DomainError(ErrorCode.NotFound, `${key}: the notification names an order we did not open`),
  refusedNotification: (key: string, why: string) => new DomainError(ErrorCode.Unauthorized, `${key} notification refused: ${why}`),
};

/** A connector failure as the API reports it: the provider's refusal is 422, its failure 502. */
export function fromConnectorError(gateway: string, err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (!(err instanceof ConnectorError)) return new DomainError(ErrorCode.ProviderFailed, `${gateway}: the provider call failed`);
  switch (err.code) {
    case 'auth':
    case 'refused':
      return new DomainError(ErrorCode.ProviderRefused, `${gateway} refused: ${err.message}`, undefined, { gateway, provider_status: err.options.httpStatus });
    case 'invalid_config':
      return new DomainError(ErrorCode.Conflict, `${gateway}: ${err.message}`, undefined, { gateway });
    default:
      return new DomainError(ErrorCode.ProviderFailed, `${gateway} failed: ${err.message}`, undefined, { gateway });
  }
}

/** 5xx, timeouts, network errors and rate limits: another gateway may serve. A 4xx refusal is final. */
export function isFailoverable(err: unknown): boolean {
  return err instanceof ConnectorError && ['provider_error', 'timeout', 'network', 'rate_limited'].includes(err.code);
}
