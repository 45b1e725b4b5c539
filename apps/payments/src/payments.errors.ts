import { DomainError, ErrorCode, type FieldError, type PaymentDirection } from '@app/contracts';

export const PaymentsErrors = {
  invalid: (errors: FieldError[]) =>
    new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors),
  noRoute: (country: string) => new DomainError(ErrorCode.NotFound, `No route for country ${country}`),
  nothingServes: (country: string, direction: PaymentDirection) =>
    new DomainError(
      ErrorCode.Unavailable,
      `No active payment gateway can serve ${direction} in ${country}: no usable route and no active default`,
    ),
  unknownProvider: (key: string) => new DomainError(ErrorCode.NotFound, `No payment webhook endpoint for ${key}`),
  unknownOrder: (key: string) =>
    new DomainError(ErrorCode.NotFound, `${key}: the notification names an order we did not open`),
  refusedNotification: (key: string, why: string) =>
    new DomainError(ErrorCode.Unauthorized, `${key} notification refused: ${why}`),
};
