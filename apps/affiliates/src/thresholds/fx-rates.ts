/**
 * Currency conversion for threshold checks, from AFFILIATE_FX_RATES (`CUR=value` of one unit in any
 * common base). A pair with a missing side is unconvertible: the caller counts it, never guesses.
 */
export class FxRates {
  constructor(private readonly rates: ReadonlyMap<string, number>) {}

  static parse(spec: string): FxRates {
    const rates = new Map<string, number>();
    for (const part of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [cur, value] = part.split('=').map((s) => s.trim());
      rates.set(cur.toUpperCase(), Number(value));
    }
    return new FxRates(rates);
  }

  convert(amount: number, from: string, to: string): number | null {
    if (from === to) return amount;
    const a = this.rates.get(from);
    const b = this.rates.get(to);
    if (!a || !b) return null;
    return (amount * a) / b;
  }
}
