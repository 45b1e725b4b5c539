import type { FxRates } from '../thresholds/fx-rates';

export interface Threshold {
  min_amount: string;
  currency: string;
}

export type DepositVerdict = { kind: 'ftd' } | { kind: 'deposit'; unconvertible: boolean } | { kind: 'not_a_deposit' };

/** Money moved: an amount of zero or less (or no number at all) is no deposit, whatever the thresholds. */
export function isDepositAmount(amount: string | undefined): boolean {
  const n = Number(amount);
  return amount !== undefined && amount !== '' && Number.isFinite(n) && n > 0;
}

/**
 * A deposit of zero or less is none (it would otherwise be the FTD when no threshold is set, and
 * suppress every real deposit after it). A lead's deposit is its FTD when it reaches the threshold of the lead's country (else `default`),
 * compared in the threshold's currency. No threshold at all: every deposit qualifies. A deposit that
 * cannot be converted is an ordinary deposit, flagged so stats show the missing rate.
 */
export function judgeDeposit(
  amount: string,
  currency: string,
  country: string,
  thresholds: ReadonlyMap<string, Threshold>,
  fx: FxRates,
): DepositVerdict {
  if (!isDepositAmount(amount)) return { kind: 'not_a_deposit' };
  const t = thresholds.get(country) ?? thresholds.get('default');
  if (!t) return { kind: 'ftd' };
  const converted = fx.convert(Number(amount), currency, t.currency);
  if (converted === null) return { kind: 'deposit', unconvertible: true };
  // a tolerance for the floating point of conversions, far below any currency's minor unit
  return converted + 1e-9 >= Number(t.min_amount) ? { kind: 'ftd' } : { kind: 'deposit', unconvertible: false };
}
