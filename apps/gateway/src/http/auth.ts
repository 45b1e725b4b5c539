import { createHash, timingSafeEqual } from 'node:crypto';

import { ConfigError } from '@app/runtime';

/** Paths that need a platform key: /api/platform/** and /payments/**. */
export function requiresPlatformKey(path: string): boolean {
  return (
    path === '/api/platform' ||
    path.startsWith('/api/platform/') ||
    path === '/payments' ||
    path.startsWith('/payments/') ||
    // the internal KYC format is posted by the platform (other connectors, manual decisions), not a provider
    path === '/webhooks/kyc'
  );
}

/** `read` keys may only GET; `admin` keys may do everything. */
export type KeyScope = 'read' | 'admin';

export interface AuthenticatedKey {
  /** `key_` + 12 hex of the key's SHA-256 (the key without its scope suffix). */
  id: string;
  scope: KeyScope;
}

/** Whether a key of this scope may make a request with this method. */
export function scopeAllows(scope: KeyScope, method: string): boolean {
  return scope === 'admin' || method === 'GET';
}

/**
 * One PLATFORM_API_KEYS entry: a key, optionally followed by `:read` or `:admin`. Only the last colon
 * counts and only before exactly those words, so a key that itself holds colons stays whole.
 */
export function parseKeyEntry(entry: string): { key: string; scope: KeyScope } {
  const i = entry.lastIndexOf(':');
  const suffix = i < 0 ? '' : entry.slice(i + 1);
  if (suffix === 'read' || suffix === 'admin') return { key: entry.slice(0, i), scope: suffix };
  return { key: entry, scope: 'admin' };
}

/**
 * Bearer keys from PLATFORM_API_KEYS. Keys are compared as SHA-256 digests with timingSafeEqual, and
 * only a key id (a digest prefix) is ever logged or passed on as the actor.
 */
export class ApiKeyRing {
  private readonly keys: (AuthenticatedKey & { digest: Buffer })[];

  constructor(commaSeparated: string) {
    this.keys = commaSeparated
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map((entry) => {
        const { key, scope } = parseKeyEntry(entry);
        if (!key) throw new ConfigError(['PLATFORM_API_KEYS: an entry has a scope but no key']);
        const digest = createHash('sha256').update(key).digest();
        return { digest, id: `key_${digest.toString('hex').slice(0, 12)}`, scope };
      });
  }

  /**
   * Headers that already authenticated, so a valid key is hashed once, not per request. Only successes
   * are kept (a few entries: one per configured key and header spelling); failures always take the
   * full constant-time path.
   */
  private readonly accepted = new Map<string, AuthenticatedKey>();

  /** The id and scope of the key in an Authorization header, or null. */
  authenticate(authorization: string | undefined): AuthenticatedKey | null {
    if (authorization === undefined) return null;
    const known = this.accepted.get(authorization);
    if (known) return known;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return null;
    const digest = createHash('sha256').update(match[1]).digest();
    let found: AuthenticatedKey | null = null;
    for (const k of this.keys) if (timingSafeEqual(k.digest, digest)) found = { id: k.id, scope: k.scope };
    if (found && this.accepted.size < 64) this.accepted.set(authorization, found);
    return found;
  }
}
