import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { DomainError, ErrorCode, type ErrorEnvelope } from '@app/contracts';
import { currentContext } from '@app/observability';
import { SERVICE_CONFIG } from '@app/runtime';

import type { CommsConfig } from '../comms.config';
import { CommsErrors } from '../comms.errors';
import { IdempotencyRepository } from './idempotency.repository';

type Stored<T> = { ok: true; data: T } | { ok: false; error: ErrorEnvelope };

/** Outcomes a retry with the same key must see again: they are final, and the provider must not be called twice. */
const FINAL_ERRORS = new Set<ErrorCode>([ErrorCode.ProviderRefused, ErrorCode.Conflict]);
const POLL_MS = 100;
/** A pending key older than this belonged to a replica that died mid-request (it is closed, never re-run). */
const STALE_MS = 120_000;

/** JSON with sorted keys: the same body hashes the same whatever its key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Idempotency-Key (API.md): the same key with the same body returns the first answer and calls no
 * provider again; with another body it is 409. Keys are scoped by caller (platform key id) and endpoint.
 * Retryable failures release the key so the caller can retry; final ones are stored like successes.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly repo: IdempotencyRepository,
    @Inject(SERVICE_CONFIG) private readonly config: CommsConfig,
  ) {}

  async run<T>(
    endpoint: string,
    key: string | undefined,
    body: object,
    work: () => Promise<T>,
    waitMs = 30_000,
  ): Promise<T> {
    if (!key) return work();
    const scope = `${currentContext()?.actor ?? 'internal'}:${endpoint}`;
    const hash = createHash('sha256')
      .update(canonical({ ...body, idempotency_key: undefined }))
      .digest('hex');
    if (!(await this.repo.claim(scope, key, hash, this.config.COMMS_IDEMPOTENCY_TTL_MS)))
      return this.replay<T>(scope, key, hash, waitMs);
    try {
      const data = await work();
      await this.repo.complete(scope, key, { ok: true, data } satisfies Stored<T>);
      return data;
    } catch (err) {
      if (err instanceof DomainError && FINAL_ERRORS.has(err.code)) {
        await this.repo.complete(scope, key, { ok: false, error: err.toEnvelope() } satisfies Stored<T>);
      } else {
        await this.repo.release(scope, key);
      }
      throw err;
    }
  }

  private async replay<T>(scope: string, key: string, hash: string, waitMs: number): Promise<T> {
    const deadline = Date.now() + waitMs;
    for (let polls = 0; ; polls++) {
      // at the first look and then about every 10 s: a first attempt that died mid-flight is closed
      if (polls % 100 === 0)
        await this.repo.closeInterrupted(scope, key, STALE_MS, {
          ok: false,
          error: CommsErrors.idempotencyInterrupted().toEnvelope(),
        } satisfies Stored<T>);
      const rec = await this.repo.find(scope, key);
      if (!rec) throw CommsErrors.idempotencyInFlight(); // released by a failed first attempt just now
      if (rec.request_hash !== hash) throw CommsErrors.idempotencyMismatch();
      if (rec.state === 'done') {
        const stored = rec.response as Stored<T>;
        if (stored.ok) return stored.data;
        throw DomainError.fromEnvelope(stored.error);
      }
      if (Date.now() > deadline) throw CommsErrors.idempotencyInFlight();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
