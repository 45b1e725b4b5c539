import { FxRates } from '../thresholds/fx-rates';
import { judgeDeposit, type Threshold } from './ftd-rule';

describe(judgeDeposit.name, () => {
  const thresholds = new Map<string, Threshold>([['BR', { min_amount: '100', currency: 'USD' }], ['default', { min_amount: '50', currency: 'USD' }]]);
  const fx = FxRates.parse('USD=1, EUR=1.10, BRL=0.2');

  it('compares against the country threshold, else the default', () => {
    expect(judgeDeposit('60', 'USD', 'BR', thresholds, fx)).toEqual({ kind: 'deposit', unconvertible: false });
    expect(judgeDeposit('150', 'USD', 'BR', thresholds, fx)).toEqual({ kind: 'ftd' });
    expect(judgeDeposit('100.00', 'USD', 'BR', thresholds, fx)).toEqual({ kind: 'ftd' });
    expect(judgeDeposit('60', 'USD', 'DE', thresholds, fx)).toEqual({ kind: 'ftd' });
  });

  it('converts other currencies with the configured rates, and flags a missing rate', () => {
    expect(judgeDeposit('500', 'BRL', 'BR', thresholds, fx)).toEqual({ kind: 'ftd' }); // 100 USD
    expect(judgeDeposit('499', 'BRL', 'BR', thresholds, fx)).toEqual({ kind: 'deposit', unconvertible: false });
    expect(judgeDeposit('1000000', 'JPY', 'BR', thresholds, fx)).toEqual({ kind: 'deposit', unconvertible: true });
  });

  it('treats every first deposit as the FTD when no threshold is configured', () => {
    expect(judgeDeposit('1', 'JPY', 'BR', new Map(), fx)).toEqual({ kind: 'ftd' });
  });
});
