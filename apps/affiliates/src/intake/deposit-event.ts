import { isCurrencyCode, type PaymentApprovedEvent } from '@app/contracts';

import type { IntakeEvent } from './intake.service';

/** evt.payments.deposit.approved, as the payments service publishes it (libs/contracts). */
export type DepositApprovedEvent = PaymentApprovedEvent;

/** Signed, so that a zero or negative amount reaches intake's own rule (ignored and counted as such). */
const DECIMAL = /^[+-]?\d{1,15}(\.\d{1,8})?$/;

/** The intake event of a deposit, or why it cannot be one (malformed events are skipped, not retried forever). */
export function depositIntake(e: DepositApprovedEvent): IntakeEvent | string {
  if (typeof e?.customer_id !== 'string' || !e.customer_id) return 'customer_id missing';
  const amount: unknown = typeof e.amount === 'number' ? String(e.amount) : e.amount;
  if (typeof amount !== 'string' || !DECIMAL.test(amount)) return 'amount is not a decimal';
  if (typeof e.currency !== 'string' || !isCurrencyCode(e.currency.toUpperCase()))
    return 'currency is not an ISO 4217 code';
  const at = e.approved_at ? new Date(e.approved_at) : new Date();
  return {
    customer_id: e.customer_id,
    event: 'lead.deposit',
    amount,
    currency: e.currency.toUpperCase(),
    occurred_at: Number.isNaN(at.getTime()) ? new Date() : at,
  };
}
