import { DomainError, ErrorCode, type FieldError } from '@app/contracts';
import { ConnectorError } from '@app/connectors';

export const CatalogErrors = {
  unknownProvider: (key: string) => new DomainError(ErrorCode.NotFound, `Unknown provider: ${key}`),
  unknownCategory: (category: string) =>
    new DomainError(ErrorCode.NotFound, `Unknown category: ${category} (expected voip, email, sms, payment or kyc)`),
  invalid: (errors: FieldError[]) => new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors),
  inactive: (key: string) => new DomainError(ErrorCode.Conflict, `Provider ${key} is not active: activate it first`),
  wrongCategory: (key: string, category: string) =>
    new DomainError(ErrorCode.ValidationFailed, `Provider ${key} is not a ${category} provider`, [{ field: 'provider', message: `is not a ${category} provider` }]),
  noneActive: (category: string) => new DomainError(ErrorCode.Unavailable, `No active ${category} provider`),
  notConfigured: (key: string, fields: string[]) =>
    new DomainError(ErrorCode.Conflict, `Provider ${key} is missing credentials: ${fields.join(', ')}`),
};

/** A connector failure as the API reports it: the provider's refusal is 422, its failure 502. */
export function fromConnectorError(key: string, err: unknown): DomainError {
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
