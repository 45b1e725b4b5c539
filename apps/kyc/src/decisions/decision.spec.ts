import { MAX_CLOCK_AHEAD_MS } from '@app/contracts';

import { orderingTime } from './decision';

describe(orderingTime.name, () => {
  const received = new Date('2026-06-01T12:00:00Z');

  it('keeps a provider time up to 5 minutes ahead of the receipt, and clamps one further ahead to receipt + 5 minutes', () => {
    expect(MAX_CLOCK_AHEAD_MS).toBe(5 * 60_000);
    const soon = new Date(received.getTime() + 4 * 60_000);
    expect(orderingTime(soon, received)).toEqual(soon);
    expect(orderingTime(new Date('9999-12-31T23:59:59Z'), received)).toEqual(
      new Date(received.getTime() + MAX_CLOCK_AHEAD_MS),
    );
    const past = new Date('2020-01-01T00:00:00Z');
    expect(orderingTime(past, received)).toEqual(past);
  });

  it('uses the receipt when the provider names no time', () => {
    expect(orderingTime(null, received)).toEqual(received);
  });

  it('orders an event with a later provider time after any accepted one, however far ahead that one claimed to be', () => {
    const first = orderingTime(new Date('9999-12-31T00:00:00Z'), received);
    const laterReceipt = new Date(received.getTime() + 1000);
    expect(orderingTime(new Date('9999-12-31T00:00:01Z'), laterReceipt).getTime()).toBeGreaterThanOrEqual(
      first.getTime(),
    );
    // received at the same instant, a later provider time is never ordered before
    expect(orderingTime(new Date('9999-12-31T00:00:01Z'), received).getTime()).toBeGreaterThanOrEqual(first.getTime());
  });
});
