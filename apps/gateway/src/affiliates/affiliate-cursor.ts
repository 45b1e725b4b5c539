import { AFFILIATE_ID } from '@app/contracts';

import { decodePageCursor, encodePageCursor } from '../ops/page-cursor';

/** Position after the last affiliate of a page; the order is the affiliate id's. */
export function encodeAffiliateCursor(afterId: string): string {
  return encodePageCursor([afterId]);
}

/** The affiliate id a cursor stands for; a 400 naming `cursor` for anything else. */
export function decodeAffiliateCursor(cursor: string): string {
  const [afterId] = decodePageCursor(cursor, 1, ([id]) => AFFILIATE_ID.test(id));
  return afterId;
}
