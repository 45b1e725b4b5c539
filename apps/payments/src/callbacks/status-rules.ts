import type { PaymentStatus } from '@app/contracts';

/**
 * Statuses only move forward: a notification arriving late (a `pending` after `approved`) or twice
 * changes nothing. A decline can still be followed by an approval (the customer tried another card in
 * the same session), an approval only by a refund.
 */
const RANK: Record<PaymentStatus, number> = { pending: 0, declined: 1, failed: 1, approved: 2, refunded: 3 };

export function movesForward(from: PaymentStatus, to: PaymentStatus): boolean {
  return RANK[to] > RANK[from];
}
