import { createHash } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Vault } from '@app/vault';

import { KycErrors } from '../kyc.errors';
import { IdempotencyRepository } from './idempotency.repository';

/** A claim older than this with no answer belongs to a replica that died mid-call. */
const STALE_CLAIM_MS = 120_000;
/** How long a concurrent duplicate waits for the first request's answer before giving up with 409. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 100;

/** JSON with sorted keys: the same body in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * API.md's Idempotency-Key: the same key with the same body returns the first answer without a second
 * provider call; with a different body, 409. A failed first attempt frees the key.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly vault: Vault,
  ) {}

  async run<T>(scope: string, key: string, body: unknown, work: () => Promise<T>): Promise<T> {
    const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const waitUntil = Date.now() + WAIT_FOR_FIRST_MS;
    while (!(await this.repo.claim(scope, key, hash))) {
      const existing = await this.repo.find(scope, key);
      if (!existing) continue; // released (the first attempt failed) between our insert and read: claim again
      if (existing.requestHash !== hash) throw KycErrors.idempotencyMismatch();
      if (existing.state === 'done') return this.open<T>(scope, key, existing.response);
      if (await this.repo.takeOverStale(scope, key, hash, STALE_CLAIM_MS)) break;
      // the same request is in flight (a concurrent duplicate): wait for its answer rather than refuse it
      if (Date.now() >= waitUntil) throw KycErrors.idempotencyInProgress();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await this.repo.release(scope, key);
      throw err;
    }
    await this.repo.complete(scope, key, this.seal(scope, key, result));
    return result;
  }

  /** The stored answer holds the provider's access token: sealed by the vault like any other secret. */
  private seal(scope: string, key: string, response: unknown): { sealed: string } {
    return {
      sealed: this.vault.encrypt(JSON.stringify(response), { recordId: `${scope}\u0001${key}`, field: 'response' }),
    };
  }

  private open<T>(scope: string, key: string, stored: unknown): T {
    const sealed = (stored as { sealed?: unknown } | null)?.sealed;
    if (typeof sealed !== 'string') return stored as T; // an answer stored before answers were sealed
    return JSON.parse(this.vault.decrypt(sealed, { recordId: `${scope}\u0001${key}`, field: 'response' })) as T;
  }
}
