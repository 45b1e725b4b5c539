import type { CommsChannel } from '@app/contracts';

/**
 * The one form of an address the suppression list is keyed by, used by the send path (what is looked up
 * and stored with the message) and by callbacks (what a bounce, spam report or STOP writes), so a
 * provider that reports an address in another spelling still suppresses the same recipient.
 *
 * - email: trimmed and lower-cased as a whole (local part included: providers report it lower-cased,
 *   and no mailbox provider we send to distinguishes case).
 * - sms and call: E.164, `+` and digits only. Spaces, dots, dashes and parentheses are dropped, a
 *   leading international `00` becomes `+`, and a number given without `+` (Vonage reports `msisdn` as
 *   447700900000) gets one. What still is not `+` and 2 to 15 digits is returned trimmed, unchanged
 *   otherwise, and matches only itself.
 */
export function normaliseAddress(channel: CommsChannel, address: string): string {
  const a = address.trim();
  if (channel === 'email') return a.toLowerCase();
  let n = a.replace(/[\s().-]/g, '');
  if (n.startsWith('00')) n = `+${n.slice(2)}`;
  else if (/^[1-9]\d{1,14}$/.test(n)) n = `+${n}`;
  return /^\+[1-9]\d{1,14}$/.test(n) ? n : a;
}
