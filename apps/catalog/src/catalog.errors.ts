import { DomainError, ErrorCode, type FieldError } from '@app/contracts';

export const CatalogErrors = {
  unknownProvider: (key: string) => new DomainError(ErrorCode.NotFound, `Unknown provider: ${key}`),
  unknownCategory: (category: string) =>
    new DomainError(ErrorCode.NotFound, `Unknown category: ${category} (expected voip, email, sms, payment or kyc)`),
  invalid: (errors: FieldError[]) =>
    new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors),
  inactive: (key: string) => new DomainError(ErrorCode.Conflict, `Provider ${key} is not active: activate it first`),
  wrongCategory: (key: string, category: string) =>
    new DomainError(ErrorCode.ValidationFailed, `Provider ${key} is not a ${category} provider`, [
      { field: 'provider', message: `is not a ${category} provider` },
    ]),
  noneActive: (category: string) => new DomainError(ErrorCode.Unavailable, `No active ${category} provider`),
  notConfigured: (key: string, fields: string[]) =>
    new DomainError(ErrorCode.ProviderRefused, `Provider ${key} is missing credentials: ${fields.join(', ')}`),
};
