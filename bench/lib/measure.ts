import type { NatsConnection } from '@nats-io/transport-node';
import autocannon from 'autocannon';

export interface Sample {
  rps: number;
  p50Ms?: number;
  p99Ms?: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** HTTP load with autocannon (in this process, which run.ts pins to its own core). */
export async function http(opts: {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
}): Promise<Sample> {
  const result = await autocannon({
    url: opts.url,
    method: opts.method ?? 'GET',
    body: opts.body,
    headers: opts.headers,
    connections: opts.connections,
    duration: opts.seconds,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${opts.url}: ${result.non2xx} non-2xx answers and ${result.errors} errors during the run`);
  }
  return { rps: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

/** Keeps `concurrency` requests in flight for `seconds`; returns rate and latency percentiles. */
export async function requestLoop(send: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Sample> {
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  let count = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      await send();
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      count++;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { rps: count / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

export function natsRequester(nc: NatsConnection, subject: string, payload: string) {
  return () => nc.request(subject, payload, { timeout: 5000 });
}

export interface Comparison {
  name: string;
  metric: string;
  baseline: number;
  subject: number;
  ratio: number;
  aim: string;
  rounds: number;
}

/** Runs baseline and subject alternately `rounds` times and compares medians. */
export async function alternate(rounds: number, baseline: () => Promise<number>, subject: () => Promise<number>) {
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline());
    s.push(await subject());
  }
  return { baseline: median(b), subject: median(s), baselineRuns: b, subjectRuns: s };
}

export function report(c: Comparison): void {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(3));
  process.stdout.write(
    `${c.name}\n  ${c.metric}: baseline ${fmt(c.baseline)}, subject ${fmt(c.subject)}, ratio ${c.ratio.toFixed(2)} (aim ${c.aim}; medians of ${c.rounds} alternating runs)\n`,
  );
}
