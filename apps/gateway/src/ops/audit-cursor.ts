import { isIn, isISO8601, isNumberString } from 'class-validator';

import { DomainError, ErrorCode, SERVICES, type ServiceName } from '@app/contracts';

/** Position after the last entry of an audit page; the order is (at, service, id) over every service. */
export interface AuditPosition {
  at: string;
  service: ServiceName;
  id: string;
}

export function encodeAuditCursor(p: AuditPosition): string {
  return Buffer.from(JSON.stringify([p.at, p.service, p.id]), 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string): AuditPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((v) => typeof v === 'string') ||
    !isISO8601(parsed[0], { strict: true }) ||
    !isIn(parsed[1], SERVICES) ||
    !isNumberString(parsed[2], { no_symbols: true })
  ) {
    throw new DomainError(ErrorCode.ValidationFailed, 'Invalid query', [
      { field: 'cursor', message: 'cursor must be a next_cursor from a previous page' },
    ]);
  }
  return { at: parsed[0], service: parsed[1] as ServiceName, id: parsed[2] };
}
