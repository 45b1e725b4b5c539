import { isISO8601, isUUID } from 'class-validator';

import { DomainError, ErrorCode } from '@app/contracts';

/** Position after the last dead letter of a page; the order is (parked_at, id) over every service. */
export interface DeadLetterPosition {
  parked_at: string;
  id: string;
}

export function encodeCursor(p: DeadLetterPosition): string {
  return Buffer.from(JSON.stringify([p.parked_at, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): DeadLetterPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !isISO8601(parsed[0], { strict: true }) ||
    !isUUID(parsed[1])
  ) {
    throw new DomainError(ErrorCode.ValidationFailed, 'Invalid query', [
      { field: 'cursor', message: 'cursor must be a next_cursor from a previous page' },
    ]);
  }
  return { parked_at: parsed[0], id: parsed[1] };
}

/** Orders dead letters of several services as each service pages them. */
export function comparePosition(a: DeadLetterPosition, b: DeadLetterPosition): number {
  const t = Date.parse(a.parked_at) - Date.parse(b.parked_at);
  return t !== 0 ? t : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
