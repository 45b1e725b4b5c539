/** When the next attempt of a delivery is due, from the schedule, the jitter and the receiver's Retry-After. */
export class RetryPolicy {
  constructor(
    private readonly scheduleMs: number[],
    private readonly jitter: number,
    private readonly maxRetryAfterMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  static parse(schedule: string, jitter: number, maxRetryAfterMs: number): RetryPolicy {
    return new RetryPolicy(schedule.split(',').map(Number), jitter, maxRetryAfterMs);
  }

  /** Delay after the `attempts`-th failed attempt, or null when the schedule is exhausted. */
  delayAfter(attempts: number, retryAfterMs: number | null): number | null {
    const base = this.scheduleMs[attempts - 1];
    if (base === undefined) return null;
    if (retryAfterMs !== null) return Math.min(retryAfterMs, this.maxRetryAfterMs);
    const factor = 1 + (this.random() * 2 - 1) * this.jitter;
    return Math.round(base * factor);
  }
}

/** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
