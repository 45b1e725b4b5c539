import { isLastDelivery, retryDelayMs, retryPolicyOf } from './retry-policy';

describe('retry policy', () => {
  const policy = retryPolicyOf({ maxDeliveries: 5, retryDelayMs: 1000, maxRetryDelayMs: 5000 });

  it('doubles the delay after each failed delivery and caps it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('does not overflow on a huge delivery count', () => {
    expect(retryDelayMs(policy, 10_000)).toBe(5000);
  });

  it('parks on the last delivery, and on any delivery past it', () => {
    expect([1, 4, 5, 9].map((n) => isLastDelivery(policy, n))).toEqual([false, false, true, true]);
  });

  it('never caps below the base delay and delivers at least once', () => {
    expect(retryPolicyOf({ maxDeliveries: 0, retryDelayMs: 8000, maxRetryDelayMs: 10 })).toEqual({
      maxDeliveries: 1,
      baseDelayMs: 8000,
      maxDelayMs: 8000,
    });
  });
});
