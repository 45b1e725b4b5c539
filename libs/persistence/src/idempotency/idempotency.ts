import { DomainError, ErrorCode, type ErrorEnvelope } from '@app/contracts';

import { requestHash } from './canonical';
import type { IdempotencyStore } from './idempotency.store';

/** A stored answer: the data (sealed or not), or a final error that every retry sees again. */
type Stored = { ok: true; data: unknown } | { ok: true; sealed: string } | { ok: false; error: ErrorEnvelope };

/** Seals stored answers that hold secrets; `recordId` binds a sealed answer to its scope and key. */
export interface AnswerSealer {
  seal(plain: string, recordId: string): string;
  open(sealed: string, recordId: string): string;
}

export interface IdempotencyOptions {
  /** Keys are remembered this long; older ones are purged and may be used again. */
  ttlMs: number;
  /** Error codes that are final answers, stored and replayed; any other failure frees the key for a retry. */
  replayErrors?: readonly ErrorCode[];
  sealer?: AnswerSealer;
  /** How long a duplicate waits for the first request's answer before giving up with 409. */
  waitMs?: number;
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const POLL_MS = 100;
/** A key pending longer than this belonged to a replica that died mid-request: it is closed, never re-run. */
const STALE_MS = 120_000;
/** A waiting duplicate looks for such a key at its first poll and then about every 10 s. */
const STALE_CHECK_POLLS = 100;
const MAX_PURGE_INTERVAL_MS = 3_600_000;

export const IdempotencyErrors = {
  mismatch: () =>
    new DomainError(ErrorCode.Conflict, 'This Idempotency-Key was used with a different request body', [
      { field: 'Idempotency-Key', message: 'was already used with a different body' },
    ]),
  inFlight: () =>
    new DomainError(ErrorCode.Conflict, 'A request with this Idempotency-Key is still in progress; retry shortly'),
  interrupted: () =>
    new DomainError(
      ErrorCode.Conflict,
      'The first request with this Idempotency-Key was interrupted (its service stopped mid-request); whether the provider was called is unknown, so it is not called again: check what it did, or retry with a new key',
    ),
};

/**
 * Idempotency-Key: the same key with the same body returns the first answer and runs the work
 * once; with another body it is 409. A duplicate of a request in flight waits for its answer. Also a
 * background worker (start/stop) that purges expired keys; safe in every replica.
 */
export class Idempotency {
  private timer: NodeJS.Timeout | null = null;
  private purging: Promise<void> | null = null;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly opts: IdempotencyOptions,
  ) {}

  /** Runs `work` once per (scope, key) and `body`; with no key, every time. */
  async run<T>(scope: string, key: string | undefined, body: unknown, work: () => Promise<T>): Promise<T> {
    if (!key) return work();
    const hash = requestHash(body);
    const deadline = Date.now() + (this.opts.waitMs ?? 30_000);
    for (let polls = 0; !(await this.store.claim(scope, key, hash, this.opts.ttlMs)); polls++) {
      const rec = await this.store.find(scope, key);
      if (!rec) continue; // released by a failed first attempt just now: claim it again
      if (rec.requestHash !== hash) throw IdempotencyErrors.mismatch();
      if (rec.state === 'done') return this.replay<T>(scope, key, rec.response as Stored);
      const interrupted: Stored = { ok: false, error: IdempotencyErrors.interrupted().toEnvelope() };
      if (polls % STALE_CHECK_POLLS === 0 && (await this.store.closeInterrupted(scope, key, STALE_MS, interrupted)))
        continue;
      if (Date.now() > deadline) throw IdempotencyErrors.inFlight();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    let data: T;
    try {
      data = await work();
    } catch (err) {
      if (err instanceof DomainError && this.opts.replayErrors?.includes(err.code))
        await this.store.complete(scope, key, { ok: false, error: err.toEnvelope() } satisfies Stored);
      else await this.store.release(scope, key);
      throw err;
    }
    // a failure to store the answer leaves the key pending: it is closed as interrupted, never re-run
    await this.store.complete(scope, key, this.stored(scope, key, data));
    return data;
  }

  start(): Promise<void> {
    this.timer = setInterval(() => void this.purgeExpired(), Math.min(this.opts.ttlMs, MAX_PURGE_INTERVAL_MS));
    this.timer.unref();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.purging;
  }

  /** Forgets keys older than the TTL; overlapping calls share one pass. */
  purgeExpired(): Promise<void> {
    this.purging ??= this.store
      .purgeOlderThan(this.opts.ttlMs)
      .then(
        (purged) => {
          if (purged) this.opts.logger?.debug({ purged }, 'expired idempotency keys purged');
        },
        (err: unknown) => this.opts.logger?.warn({ err }, 'idempotency key purge failed; retried on the next pass'),
      )
      .finally(() => {
        this.purging = null;
      });
    return this.purging;
  }

  private stored(scope: string, key: string, data: unknown): Stored {
    const { sealer } = this.opts;
    return sealer ? { ok: true, sealed: sealer.seal(JSON.stringify(data), recordId(scope, key)) } : { ok: true, data };
  }

  private replay<T>(scope: string, key: string, stored: Stored): T {
    if (!stored.ok) throw DomainError.fromEnvelope(stored.error);
    if (!('sealed' in stored)) return stored.data as T;
    if (!this.opts.sealer) throw new Error('a sealed Idempotency-Key answer, and no sealer to open it');
    return JSON.parse(this.opts.sealer.open(stored.sealed, recordId(scope, key))) as T;
  }
}

const recordId = (scope: string, key: string) => `${scope}\u0001${key}`;
