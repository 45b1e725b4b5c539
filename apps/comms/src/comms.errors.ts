import { ConnectorError } from '@app/connectors';
import { DomainError, ErrorCode } from '@app/contracts';

export const CommsErrors = {
  unknownMessage: (id: string) => new DomainError(ErrorCode.NotFound, `Unknown message id: ${id}`),
  suppressed: (channel: string, reason: string) =>
    new DomainError(
      ErrorCode.Conflict,
      `The recipient is on the ${channel} suppression list (${reason}): nothing was sent`,
      [{ field: 'to', message: `is suppressed (${reason})` }],
    ),
  htmlTooLarge: (field: string, max: number) =>
    new DomainError(ErrorCode.PayloadTooLarge, `${field} is larger than ${max} bytes`, [
      { field, message: `must be at most ${max} bytes (UTF-8)` },
    ]),
  noCallbacks: (provider: string) => new DomainError(ErrorCode.NotFound, `No comms callbacks for provider ${provider}`),
  noPort: (provider: string, channel: string) =>
    new DomainError(ErrorCode.Conflict, `Provider ${provider} cannot send ${channel}`),
  tokenReused: (provider: string) =>
    new DomainError(
      ErrorCode.Unauthorized,
      `${provider} callback rejected: its signature token was already used with another body`,
    ),
  badCallback: (provider: string, err: unknown) =>
    err instanceof ConnectorError && (err.code === 'bad_signature' || err.code === 'invalid_config')
      ? new DomainError(ErrorCode.Unauthorized, `${provider} callback rejected: ${err.message}`)
      : new DomainError(
          ErrorCode.ValidationFailed,
          `${provider} callback unreadable: ${err instanceof ConnectorError ? err.message : 'malformed'}`,
        ),
};
