import { parseRetryAfter, RetryPolicy } from './retry-policy';

describe(RetryPolicy.name, () => {
  const schedule = '5000,300000,1800000,7200000,18000000,36000000,36000000';

  it('follows the schedule with at most +-20% jitter and stops after its last entry', () => {
    const low = new RetryPolicy(schedule.split(',').map(Number), 0.2, 86_400_000, () => 0);
    const high = new RetryPolicy(schedule.split(',').map(Number), 0.2, 86_400_000, () => 0.999999);
    expect(low.delayAfter(1, null)).toBe(4000);
    expect(high.delayAfter(1, null)).toBe(6000);
    expect(low.delayAfter(2, null)).toBe(240000);
    expect(high.delayAfter(7, null)).toBeCloseTo(43200000, -2);
    expect(low.delayAfter(8, null)).toBeNull();
  });

  it('uses Retry-After instead, capped', () => {
    const p = RetryPolicy.parse(schedule, 0.2, 60000);
    expect(p.delayAfter(1, 2000)).toBe(2000);
    expect(p.delayAfter(1, 3_600_000)).toBe(60000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
