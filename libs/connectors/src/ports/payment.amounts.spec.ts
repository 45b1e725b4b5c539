import 'reflect-metadata';

import { canonicalAmount, fromMinorUnits, toMinorUnits } from './payment.amounts';

describe('payment amounts', () => {
  it("converts to minor units by the currency's ISO 4217 digits", () => {
    expect(toMinorUnits('45.36', 'EUR')).toBe(4536);
    expect(toMinorUnits('45.3', 'EUR')).toBe(4530);
    expect(toMinorUnits('100', 'JPY')).toBe(100);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('10.500', 'EUR')).toBe(1050);
  });

  it('refuses more decimals than the currency has', () => {
    expect(toMinorUnits('1.5', 'JPY')).toBeNull();
    expect(toMinorUnits('1.001', 'EUR')).toBeNull();
  });

  it('writes minor units back as a canonical decimal', () => {
    expect(fromMinorUnits(4536, 'EUR')).toBe('45.36');
    expect(fromMinorUnits(5, 'EUR')).toBe('0.05');
    expect(fromMinorUnits(1500, 'JPY')).toBe('1500');
    expect(canonicalAmount(45.3, 'EUR')).toBe('45.30');
    expect(canonicalAmount('0045.360', 'EUR')).toBe('45.36');
    expect(canonicalAmount('abc', 'EUR')).toBeNull();
    expect(canonicalAmount(null, 'EUR')).toBeNull();
  });
});
