import { DomainError, ErrorCode } from '@app/contracts';

/**
 * The opaque `next_cursor` of a merged page: the position of its last entry as a tuple of strings, in
 * base64url JSON. Each list defines its own tuple and how to check it.
 */
export function encodePageCursor(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The tuple of a cursor, when it has `arity` strings that pass `valid`; a 400 naming `cursor` otherwise. */
export function decodePageCursor(cursor: string, arity: number, valid: (parts: string[]) => boolean): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== arity ||
    !parsed.every((v) => typeof v === 'string') ||
    !valid(parsed)
  ) {
    throw new DomainError(ErrorCode.ValidationFailed, 'Invalid query', [
      { field: 'cursor', message: 'cursor must be a next_cursor from a previous page' },
    ]);
  }
  return parsed;
}
