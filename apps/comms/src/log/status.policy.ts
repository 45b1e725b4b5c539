import type { CommsChannel, CommsStatus } from '@app/contracts';

/**
 * Callbacks arrive out of order, so a status only moves forward. Ranks follow a message's life: negative
 * outcomes (bounce, failure) sit below `delivered`, and a spam report or unsubscribe, which only follow
 * a delivery, above everything. Equal ranks do not replace each other: the first final outcome stays.
 */
const MESSAGE_RANK: Record<string, number> = {
  queued: 0,
  sent: 1,
  failed: 2,
  bounced: 2,
  undelivered: 2,
  delivered: 3,
  opened: 4,
  clicked: 5,
  spam: 6,
  unsubscribed: 6,
};
const CALL_RANK: Record<string, number> = {
  initiated: 0,
  ringing: 1,
  answered: 2,
  completed: 3,
  busy: 3,
  no_answer: 3,
  failed: 3,
  canceled: 3,
};

export function initialStatus(channel: CommsChannel): CommsStatus {
  return channel === 'call' ? 'initiated' : 'queued';
}

/** True when `next` moves a message of this channel forward from `current`. */
export function advances(channel: CommsChannel, current: string, next: string): boolean {
  const ranks = channel === 'call' ? CALL_RANK : MESSAGE_RANK;
  const to = ranks[next];
  if (to === undefined) return false;
  return to > (ranks[current] ?? -1);
}

const NEGATIVE = ['undelivered', 'failed', 'bounced'];

/**
 * The status of a message sent in several parts, from the parts' statuses: delivered (or further) only
 * when every part is; failed / undelivered / bounced as soon as one part is (the first such part's
 * status, in part order); otherwise the least advanced part's status.
 */
export function partsStatus(channel: CommsChannel, parts: readonly string[]): string {
  const ranks = channel === 'call' ? CALL_RANK : MESSAGE_RANK;
  const negative = parts.find((s) => NEGATIVE.includes(s));
  if (negative) return negative;
  let least = parts[0] ?? initialStatus(channel);
  for (const s of parts) if ((ranks[s] ?? -1) < (ranks[least] ?? -1)) least = s;
  return least;
}
