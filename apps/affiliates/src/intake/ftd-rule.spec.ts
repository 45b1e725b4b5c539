import { FxRates } from '../thresholds/fx-rates';
import { judgeDeposit, type Threshold } from './ftd-rule';

describe(judgeDeposit.name, () => {
  const thresholds = new Map<string, Threshold>([
    ['BR', { min_amount: '100', currency: 'USD' }],
    ['default', { min_amount: '50', currency: 'USD' }],
  ]);
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

describe(`${judgeDeposit.name}: amounts that are no deposit`, () => {
  const fx = FxRates.parse('USD=1');
  it('never makes a deposit of zero or less the FTD, with or without thresholds', () => {
    const zeroThreshold = new Map<string, Threshold>([['default', { min_amount: '0', currency: 'USD' }]]);
    for (const amount of ['0', '0.00', '-5']) {
      expect([amount, judgeDeposit(amount, 'USD', 'BR', new Map(), fx).kind]).toEqual([amount, 'not_a_deposit']);
      expect([amount, judgeDeposit(amount, 'USD', 'BR', zeroThreshold, fx).kind]).toEqual([amount, 'not_a_deposit']);
    }
    expect(judgeDeposit('0.01', 'USD', 'BR', new Map(), fx)).toEqual({ kind: 'ftd' });
  });
});
