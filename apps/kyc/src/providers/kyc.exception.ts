import { DomainError, ErrorCode } from '@app/contracts';
import { ConnectorError } from '@app/connectors';

export const KycErrors = {
  notFound: (customerId: string) => new DomainError(ErrorCode.NotFound, `No KYC record for customer ${customerId}`),
  notKycProvider: (key: string) => new DomainError(ErrorCode.NotFound, `Unknown KYC provider: ${key}`),
  noWebhookMethod: (method: string) => new DomainError(ErrorCode.NotFound, `KYC webhooks are POSTed; ${method} is not served`),
  badSignature: (provider: string, reason: string) => new DomainError(ErrorCode.Unauthorized, `${provider} webhook refused: ${reason}`),
  badWebhookBody: (provider: string, reason: string) =>
    new DomainError(ErrorCode.ValidationFailed, `${provider} webhook refused: ${reason}`, [{ field: 'body', message: reason }]),
  idempotencyMismatch: () => new DomainError(ErrorCode.Conflict,
    'This Idempotency-Key was used with a different request body', [{ field: 'Idempotency-Key', message: 'was used with a different body' }]),
  idempotencyInProgress: () => new DomainError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress; retry shortly'),
};

/** A connector failure as the API reports it: the provider's refusal is 422, its failure 502. */
export function fromConnectorError(key: string, err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (!(err instanceof ConnectorError)) return new DomainError(ErrorCode.ProviderFailed, `${key}: the provider call failed`);
  switch (err.code) {
    case 'auth':
    case 'refused':
      return new DomainError(ErrorCode.ProviderRefused, `${key} refused: ${err.message}`, undefined, { provider_status: err.options.httpStatus });
    case 'invalid_config':
      return new DomainError(ErrorCode.Conflict, `${key}: ${err.message}`);
    default:
      return new DomainError(ErrorCode.ProviderFailed, `${key} failed: ${err.message}`);
  }
}
