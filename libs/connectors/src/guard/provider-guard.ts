import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';

import type { BreakerState, ProviderHealthSample } from '@app/contracts';

import { ConnectorError, type ConnectorErrorCode } from '../connector-error';

/**
 * How a provider call ended, the `outcome` label of connector_request_duration_seconds:
 * `ok`; `refused` (the provider refused our request or credentials: auth, other 4xx, a configuration
 * that cannot work); `provider_error` (5xx, unreadable answer, connection failure); `timeout`;
 * `rate_limited` (429); `rejected` (not sent: the concurrency limit is full or the provider's
 * Retry-After has not passed); `breaker_open` (not sent: the breaker is open or probing); `error`
 * (the connector threw something else, a bug of ours).
 */
export type CallOutcome =
  'ok' | 'refused' | 'provider_error' | 'timeout' | 'rate_limited' | 'rejected' | 'breaker_open' | 'error';

/** The ConnectorError codes that say the provider is failing; only these count towards opening its breaker. */
const PROVIDER_SIDE: readonly ConnectorErrorCode[] = ['provider_error', 'network', 'timeout', 'rate_limited'];

export function isProviderSideFailure(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError && PROVIDER_SIDE.includes(err.code);
}

function outcomeOf(err: unknown): CallOutcome {
  if (!(err instanceof ConnectorError)) return 'error';
  switch (err.code) {
    case 'timeout':
      return 'timeout';
    case 'rate_limited':
      return 'rate_limited';
    case 'provider_error':
    case 'network':
      return 'provider_error';
    default:
      return 'refused';
  }
}

export interface ProviderGuardOptions {
  /** Consecutive provider-side failures that open the breaker. */
  failureThreshold: number;
  /** Open for this long, then one half-open probe. */
  cooldownMs: number;
  /** Calls in flight at once; the next is refused (`overloaded`), not queued. */
  maxConcurrency: number;
  /** Cap on a 429's Retry-After. */
  retryAfterMaxMs: number;
  /** Window of error_rate and p95_ms. */
  windowMs: number;
  /** Wall clock (ms); cockatiel's breaker reads Date.now() too, so tests fake both with jest's timers. */
  now?: () => number;
}

export type CallObserver = (provider: string, operation: string, outcome: CallOutcome, seconds: number) => void;

interface Sample {
  at: number;
  ms: number;
  failed: boolean;
}

/** The most samples one provider keeps for its health (the oldest go first). */
const MAX_SAMPLES = 2048;

/**
 * One provider's protection in one process: a cockatiel ConsecutiveBreaker circuit (only provider-side
 * failures count), a bulkhead without a queue, and the provider's own Retry-After. A call it will not
 * make fails at once with a retryable ConnectorError, so the caller fails over as it would on a
 * provider failure, without waiting for a timeout.
 */
export class ProviderGuard {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly limit: BulkheadPolicy;
  private blockedUntil = 0;
  private samples: Sample[] = [];
  private readonly now: () => number;

  constructor(
    readonly provider: string,
    private readonly opts: ProviderGuardOptions,
    private readonly observe: CallObserver = () => undefined,
    onStateChange: (provider: string, state: BreakerState) => void = () => undefined,
  ) {
    this.now = opts.now ?? Date.now;
    this.breaker = circuitBreaker(handleWhen(isProviderSideFailure), {
      halfOpenAfter: opts.cooldownMs,
      breaker: new ConsecutiveBreaker(opts.failureThreshold),
    });
    this.breaker.onStateChange(() => onStateChange(provider, this.state));
    this.limit = bulkhead(opts.maxConcurrency, 0);
  }

  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Open:
      case CircuitState.Isolated:
        return 'open';
      case CircuitState.HalfOpen:
        return 'half_open';
      default:
        return 'closed';
    }
  }

  /** Runs one provider call `operation` (a metric label: `payment.openCashier`, `test`...) under the guard. */
  async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = this.now();
    const hr = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - hr) / 1e9;
    let reached = false;
    try {
      const result = await this.admit(started, () => {
        reached = true;
        return call();
      });
      this.record(started, seconds(), false);
      this.observe(this.provider, operation, 'ok', seconds());
      return result;
    } catch (err) {
      if (reached) {
        this.record(started, seconds(), isProviderSideFailure(err));
        if (err instanceof ConnectorError && err.code === 'rate_limited') this.honourRetryAfter(err);
      }
      const outcome = reached
        ? outcomeOf(err)
        : err instanceof ConnectorError && err.code === 'circuit_open'
          ? 'breaker_open'
          : 'rejected';
      this.observe(this.provider, operation, outcome, seconds());
      throw err;
    }
  }

  /** Health of the window for the catalog; null when the provider was not called in it and its breaker is closed. */
  sample(): ProviderHealthSample | null {
    this.prune(this.now());
    const state = this.state;
    if (!this.samples.length && state === 'closed') return null;
    const durations = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const p95 = durations.length
      ? durations[Math.min(durations.length - 1, Math.ceil(durations.length * 0.95) - 1)]
      : null;
    return {
      key: this.provider,
      state,
      calls: this.samples.length,
      failures: this.samples.filter((s) => s.failed).length,
      p95_ms: p95 === null ? null : Math.round(p95 * 10) / 10,
    };
  }

  private async admit<T>(now: number, call: () => Promise<T>): Promise<T> {
    const wait = this.blockedUntil - now;
    if (wait > 0) {
      throw new ConnectorError(
        'rate_limited',
        `${this.provider} asked for no calls for another ${Math.ceil(wait / 1000)} s (Retry-After), not called`,
        { retryAfterMs: wait },
      );
    }
    // a probe is in flight: cockatiel would make this call wait for it; fail over instead
    if (this.breaker.state === CircuitState.HalfOpen) throw this.openError();
    try {
      return await this.limit.execute(() => this.breaker.execute(call));
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw this.openError();
      if (err instanceof BulkheadRejectedError) {
        throw new ConnectorError(
          'overloaded',
          `${this.provider}: ${this.opts.maxConcurrency} calls already in flight from this process`,
        );
      }
      throw err;
    }
  }

  private openError(): ConnectorError {
    return new ConnectorError('circuit_open', `${this.provider} is failing: its circuit breaker is open, not called`);
  }

  private honourRetryAfter(err: ConnectorError): void {
    const after = err.options.retryAfterMs;
    if (after === undefined || !(after > 0)) return;
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + Math.min(after, this.opts.retryAfterMaxMs));
  }

  private record(at: number, seconds: number, failed: boolean): void {
    this.samples.push({ at, ms: seconds * 1000, failed });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  private prune(now: number): void {
    const from = now - this.opts.windowMs;
    const keep = this.samples.findIndex((s) => s.at >= from);
    if (keep === -1) this.samples = [];
    else if (keep > 0) this.samples.splice(0, keep);
  }
}

/** The guards of one process's connector registry, one per provider key, made on first use. */
export class ProviderGuards {
  private readonly byKey = new Map<string, ProviderGuard>();
  private readonly stateListeners: ((provider: string, state: BreakerState) => void)[] = [];

  constructor(
    private readonly opts: ProviderGuardOptions,
    private readonly observe: CallObserver = () => undefined,
  ) {}

  for(provider: string): ProviderGuard {
    let g = this.byKey.get(provider);
    if (!g) {
      g = new ProviderGuard(provider, this.opts, this.observe, (p, s) => {
        for (const l of this.stateListeners) l(p, s);
      });
      this.byKey.set(provider, g);
    }
    return g;
  }

  /** Called on every breaker state change (the health publisher reports at once). */
  onStateChange(listener: (provider: string, state: BreakerState) => void): void {
    this.stateListeners.push(listener);
  }

  /** Every provider this process called within the window, or whose breaker is not closed. */
  samples(): ProviderHealthSample[] {
    return [...this.byKey.values()].map((g) => g.sample()).filter((s): s is ProviderHealthSample => s !== null);
  }
}
