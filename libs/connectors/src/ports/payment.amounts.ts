import { currencyExponent } from '@app/contracts';

/** `45.36` EUR -> 4536; null when the amount has more decimals than the currency allows. */
export function toMinorUnits(amount: string, currency: string): number | null {
  const exp = currencyExponent(currency);
  const [whole, frac = ''] = amount.split('.');
  if (frac.replace(/0+$/, '').length > exp) return null;
  return Number(whole) * 10 ** exp + Number(frac.padEnd(exp, '0').slice(0, exp) || '0');
}

/** 4536 EUR -> `45.36`. */
export function fromMinorUnits(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const neg = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exp + 1, '0');
  const out = exp ? `${digits.slice(0, -exp)}.${digits.slice(-exp)}` : digits;
  return neg ? `-${out}` : out;
}

/** A decimal written any way (`45.3`, 45.30) in the currency's canonical form (`45.30`), or null. */
export function canonicalAmount(value: unknown, currency: string): string | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const minor = toMinorUnits(text, currency);
  return minor === null ? null : fromMinorUnits(minor, currency);
}
