import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions<T> {
  /** Whether a value is the one awaited; by default any truthy value. */
  until?: (value: T) => boolean;
  /** A limit for a loaded machine, not a speed check. */
  timeoutMs?: number;
  everyMs?: number;
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/**
 * Calls `probe` until it returns a value `until` accepts and returns that value. A probe that throws is
 * called again; after `timeoutMs` the wait fails naming `what` and the last value or error.
 */
export function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: EventuallyOptions<T> & Required<Pick<EventuallyOptions<T>, 'until'>>,
): Promise<T>;
export function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  options?: Omit<EventuallyOptions<T>, 'until'>,
): Promise<Truthy<T>>;
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { until = Boolean, timeoutMs = 45_000, everyMs = 100 }: EventuallyOptions<T> = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        last && 'error' in last ? `last error: ${String(last.error)}` : `last value: ${JSON.stringify(last?.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
    }
    await sleep(everyMs);
  }
}
