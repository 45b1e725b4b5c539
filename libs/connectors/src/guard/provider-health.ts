import type { NatsConnection, Subscription } from '@nats-io/transport-node';

import {
  BREAKER_STATES,
  providerHealthSubject,
  type BreakerState,
  type ProviderHealthReport,
  type ProviderHealthSample,
  type ProviderHealthView,
} from '@app/contracts';
import { prefixed } from '@app/messaging';

import type { ProviderGuards } from './provider-guard';

/** A provider no process reported (never called within the window): a closed breaker, no errors, no latency. */
export const UNCALLED_HEALTH: ProviderHealthView = { state: 'closed', error_rate: 0, p95_ms: null };

const SEVERITY: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * One provider's health over the processes that reported it: the worst breaker state, the failures
 * over the calls of all of them, and the highest p95 (a replica that is slow is what an operator looks for).
 */
export function mergeHealth(samples: ProviderHealthSample[]): ProviderHealthView {
  if (!samples.length) return { ...UNCALLED_HEALTH };
  let state: BreakerState = 'closed';
  let calls = 0;
  let failures = 0;
  let p95: number | null = null;
  for (const s of samples) {
    if (SEVERITY[s.state] > SEVERITY[state]) state = s.state;
    calls += s.calls;
    failures += s.failures;
    if (s.p95_ms !== null && (p95 === null || s.p95_ms > p95)) p95 = s.p95_ms;
  }
  return { state, error_rate: calls ? Math.round((failures / calls) * 1000) / 1000 : 0, p95_ms: p95 };
}

/**
 * Publishes this process's breakers on `<prefix>svc.health.providers` (core NATS, fire and forget):
 * every `intervalMs`, and at once when a breaker changes state. The catalog keeps the latest report.
 */
export class ProviderHealthPublisher {
  private timer: NodeJS.Timeout | null = null;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly guards: ProviderGuards,
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly source: { service: string; instance: string },
    private readonly intervalMs: number,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.publish(), this.intervalMs);
    this.timer.unref();
    this.guards.onStateChange(() => this.soon());
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Nest's shutdown hook (the publisher is a provider of each service that calls providers). */
  onModuleDestroy(): void {
    this.stop();
  }

  publish(): void {
    if (this.stopped || this.nc.isClosed()) return;
    const report: ProviderHealthReport = { ...this.source, providers: this.guards.samples() };
    try {
      this.nc.publish(prefixed(this.prefix, providerHealthSubject), JSON.stringify(report));
    } catch {
      // a closing or reconnecting connection: the next tick publishes again
    }
  }

  private soon(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.publish();
    });
  }
}

function isSample(v: unknown): v is ProviderHealthSample {
  const s = v as ProviderHealthSample;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.key === 'string' &&
    (BREAKER_STATES as readonly string[]).includes(s.state) &&
    Number.isInteger(s.calls) &&
    s.calls >= 0 &&
    Number.isInteger(s.failures) &&
    s.failures >= 0 &&
    s.failures <= s.calls &&
    (s.p95_ms === null || (typeof s.p95_ms === 'number' && Number.isFinite(s.p95_ms) && s.p95_ms >= 0))
  );
}

/**
 * The catalog's view of every process's breakers: the latest report of each process (service and
 * instance id), dropped when not refreshed within `expiryMs` (a stopped replica stops counting).
 */
export class ProviderHealthBoard {
  private readonly reports = new Map<string, { at: number; providers: Map<string, ProviderHealthSample> }>();
  private sub: Subscription | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly expiryMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): this {
    this.sub = this.nc.subscribe(prefixed(this.prefix, providerHealthSubject), {
      callback: (err, msg) => {
        if (err) return;
        try {
          this.accept(msg.json<unknown>());
        } catch {
          // not JSON: ignored
        }
      },
    });
    return this;
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** Keeps a report as the latest of its process; a malformed one is ignored. */
  accept(raw: unknown): boolean {
    const r = raw as ProviderHealthReport;
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.service !== 'string' ||
      typeof r.instance !== 'string' ||
      !Array.isArray(r.providers)
    )
      return false;
    if (!r.providers.every(isSample)) return false;
    this.reports.set(`${r.service}/${r.instance}`, {
      at: this.now(),
      providers: new Map(r.providers.map((s) => [s.key, s])),
    });
    return true;
  }

  health(key: string): ProviderHealthView {
    const from = this.now() - this.expiryMs;
    const samples: ProviderHealthSample[] = [];
    for (const [id, report] of this.reports) {
      if (report.at < from) {
        this.reports.delete(id);
        continue;
      }
      const s = report.providers.get(key);
      if (s) samples.push(s);
    }
    return mergeHealth(samples);
  }
}
