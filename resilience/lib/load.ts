import { sleep } from './infra';
import type { Answer } from './platform';

/** Answers by status ("200", "503", "error:ECONNRESET", ...), and the slowest one. */
export class Statuses {
  readonly counts = new Map<string, number>();
  slowestMs = 0;
  private readonly latencies: number[] = [];

  add(status: number | string, ms = 0): void {
    const k = String(status);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.slowestMs = Math.max(this.slowestMs, ms);
    if (this.latencies.length < 500_000) this.latencies.push(ms);
  }

  /** Latency percentile (0-100) of the answers recorded, ms. */
  percentile(p: number): number {
    if (!this.latencies.length) return 0;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  }

  count(pred: (status: string) => boolean): number {
    let n = 0;
    for (const [k, v] of this.counts) if (pred(k)) n += v;
    return n;
  }

  get ok(): number {
    return this.count((k) => /^2\d\d$/.test(k));
  }
  get of500(): number {
    return this.count((k) => k === '500');
  }
  get of503(): number {
    return this.count((k) => k === '503');
  }
  get total(): number {
    return this.count(() => true);
  }

  toString(): string {
    return [...this.counts]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

/** One attempt, its status recorded; a network error or client timeout is recorded as `error:<code>`. */
export async function attempt(statuses: Statuses, call: () => Promise<Answer>): Promise<Answer | null> {
  const t0 = performance.now();
  try {
    const a = await call();
    statuses.add(a.status, performance.now() - t0);
    return a;
  } catch (err) {
    const e = err as { code?: string; name?: string };
    statuses.add(`error:${e.code ?? e.name ?? 'unknown'}`, performance.now() - t0);
    return null;
  }
}

/**
 * Calls until a 2xx (as a provider or a CRM retries), pausing between attempts, for at most `budgetMs`.
 * Statuses that can never succeed on retry (4xx but 408/409/429) stop it.
 */
export async function retryUntil2xx(
  statuses: Statuses,
  budgetMs: number,
  call: () => Promise<Answer>,
  pauseMs = 200,
): Promise<Answer | null> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const a = await attempt(statuses, call);
    if (a && a.status >= 200 && a.status < 300) return a;
    if (a && a.status >= 400 && a.status < 500 && ![408, 409, 429].includes(a.status)) return a;
    if (Date.now() + pauseMs > deadline) return a;
    await sleep(pauseMs);
  }
}

/** `workers` loops running `work` until `running()` turns false. */
export async function closedLoop(
  workers: number,
  running: () => boolean,
  work: (worker: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (running()) await work(w);
    }),
  );
}

/**
 * Starts `fire` at `ratePerS` for `durationMs` whatever the answers' latency (an open loop: a slow server
 * gets more in flight, as from real providers), but never more than `maxInFlight` at once: the calls that
 * would pass that are counted as `skipped`, not queued.
 */
export async function openLoop(
  ratePerS: number,
  durationMs: number,
  maxInFlight: number,
  fire: () => Promise<void>,
): Promise<{ issued: number; skipped: number }> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  let skipped = 0;
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerS);
    while (issued + skipped < due) {
      if (inFlight.size >= maxInFlight) {
        skipped++;
        continue;
      }
      issued++;
      const p: Promise<void> = fire()
        .catch(() => undefined)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  return { issued, skipped };
}

/** Closed-loop throughput of `call` with `workers` in flight for `durationMs`: answers/s (2xx only). */
export async function throughput(workers: number, durationMs: number, call: () => Promise<boolean>): Promise<number> {
  const end = Date.now() + durationMs;
  let ok = 0;
  const t0 = performance.now();
  await closedLoop(
    workers,
    () => Date.now() < end,
    async () => {
      if (await call().catch(() => false)) ok++;
    },
  );
  return ok / ((performance.now() - t0) / 1000);
}

/** The value of a Prometheus sample (first line matching name and label substring), or null. */
export function metricValue(text: string, name: string, labels = ''): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !rest.includes(labels)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) return v;
  }
  return null;
}

/** Sum of every sample of a metric whose labels contain `labels`. */
export function metricSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !rest.includes(labels)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

/**
 * Tries `call` every `everyMs` (each attempt a fresh request) until one answers 2xx; returns when it did.
 * Times a recovery independently of the clients still waiting on requests lost with the fault.
 */
export async function firstSuccess(
  statuses: Statuses,
  timeoutMs: number,
  call: () => Promise<Answer>,
  everyMs = 100,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await attempt(statuses, call);
    if (a && a.status >= 200 && a.status < 300) return Date.now();
    if (Date.now() > deadline) throw new Error(`no 2xx within ${timeoutMs} ms (last: ${a?.status ?? 'network error'})`);
    await sleep(everyMs);
  }
}
