import { DomainError, ErrorCode, type FieldError } from '@app/contracts';

export const AffiliateErrors = {
  invalid: (errors: FieldError[]) =>
    new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors),
  unknownAffiliate: (id: string) => new DomainError(ErrorCode.NotFound, `Unknown affiliate: ${id}`),
  unknownDelivery: (id: string) => new DomainError(ErrorCode.NotFound, `Unknown delivery: ${id}`),
  inactive: (id: string) =>
    new DomainError(ErrorCode.Conflict, `Affiliate ${id} is not active: activate it first (PUT is_active: true)`),
  leadTaken: (customerId: string) =>
    new DomainError(ErrorCode.Conflict, `Customer ${customerId} is already attributed to another affiliate lead`),
};
