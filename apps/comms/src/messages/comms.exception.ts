import { DomainError, ErrorCode } from '@app/contracts';
import { ConnectorError } from '@app/connectors';

export const CommsErrors = {
  unknownMessage: (id: string) => new DomainError(ErrorCode.NotFound, `Unknown message id: ${id}`),
  suppressed: (channel: string, reason: string) =>
    new DomainError(ErrorCode.Conflict, `The recipient is on the ${channel} suppression list (${reason}): nothing was sent`, [{ field: 'to', message: `is suppressed (${reason})` }]),
  htmlTooLarge: (field: string, max: number) =>
    new DomainError(ErrorCode.PayloadTooLarge, `${field} is larger than ${max} bytes`, [{ field, message: `must be at most ${max} bytes (UTF-8)` }]),
  idempotencyMismatch: () =>
    new DomainError(ErrorCode.Conflict, 'This Idempotency-Key was used with a different request body', [{ field: 'Idempotency-Key', message: 'was already used with a different body' }]),
  idempotencyInFlight: () => new DomainError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress; retry later'),
  noCallbacks: (provider: string) => new DomainError(ErrorCode.NotFound, `No comms callbacks for provider ${provider}`),
  noPort: (provider: string, channel: string) => new DomainError(ErrorCode.Conflict, `Provider ${provider} cannot send ${channel}`),
  badCallback: (provider: string, err: unknown) => err instanceof ConnectorError && (err.code === 'bad_signature' || err.code === 'invalid_config')
    ? new DomainError(ErrorCode.Unauthorized, `${provider} callback rejected: ${err.message}`)
    : new DomainError(ErrorCode.ValidationFailed, `${provider} callback unreadable: ${err instanceof ConnectorError ? err.message : 'malformed'}`),
};

/** A send failure as the API reports it: the provider's refusal is 422, its failure (nothing left to fail over to) 502. */
export function fromSendError(key: string, err: ConnectorError): DomainError {
  switch (err.code) {
    case 'auth':
    case 'refused':
      return new DomainError(ErrorCode.ProviderRefused, `${key} refused: ${err.message}`, undefined, { provider: key, provider_status: err.options.httpStatus });
    case 'invalid_config':
      return new DomainError(ErrorCode.Conflict, `${key} is not configured to send: ${err.message}`, undefined, { provider: key });
    default:
      return new DomainError(ErrorCode.ProviderFailed, `${key} failed: ${err.message}`, undefined, { provider: key });
  }
}
