import { isISO8601, isUUID } from 'class-validator';

import { decodePageCursor, encodePageCursor } from './page-cursor';

/** Position after the last dead letter of a page; the order is (parked_at, id) over every service. */
export interface DeadLetterPosition {
  parked_at: string;
  id: string;
}

export function encodeCursor(p: DeadLetterPosition): string {
  return encodePageCursor([p.parked_at, p.id]);
}

export function decodeCursor(cursor: string): DeadLetterPosition {
  const [parked_at, id] = decodePageCursor(cursor, 2, ([at, id]) => isISO8601(at, { strict: true }) && isUUID(id));
  return { parked_at, id };
}

/** Orders dead letters of several services as each service pages them. */
export function comparePosition(a: DeadLetterPosition, b: DeadLetterPosition): number {
  const t = Date.parse(a.parked_at) - Date.parse(b.parked_at);
  return t !== 0 ? t : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
