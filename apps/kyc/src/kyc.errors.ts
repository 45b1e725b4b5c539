import { DomainError, ErrorCode } from '@app/contracts';

export const KycErrors = {
  notFound: (customerId: string) => new DomainError(ErrorCode.NotFound, `No KYC record for customer ${customerId}`),
  notKycProvider: (key: string) => new DomainError(ErrorCode.NotFound, `Unknown KYC provider: ${key}`),
  noWebhookMethod: (method: string) =>
    new DomainError(ErrorCode.NotFound, `KYC webhooks are POSTed; ${method} is not served`),
  badSignature: (provider: string, reason: string) =>
    new DomainError(ErrorCode.Unauthorized, `${provider} webhook refused: ${reason}`),
  badWebhookBody: (provider: string, reason: string) =>
    new DomainError(ErrorCode.ValidationFailed, `${provider} webhook refused: ${reason}`, [
      { field: 'body', message: reason },
    ]),
};
