import { createHash, timingSafeEqual } from 'node:crypto';

/** Paths that need a platform key (API.md, Conventions). */
export function requiresPlatformKey(path: string): boolean {
  return path === '/api/platform' || path.startsWith('/api/platform/') || path === '/payments' || path.startsWith('/payments/')
    // the internal KYC format is posted by the platform (other connectors, manual decisions), not a provider
    || path === '/webhooks/kyc';
}

/**
 * Bearer keys from PLATFORM_API_KEYS. Keys are compared as SHA-256 digests with timingSafeEqual, and
 * only a key id (a digest prefix) is ever logged or passed on as the actor.
 */
export class ApiKeyRing {
  private readonly keys: { digest: Buffer; id: string }[];

  constructor(commaSeparated: string) {
    this.keys = commaSeparated.split(',').map((k) => k.trim()).filter(Boolean).map((key) => {
      const digest = createHash('sha256').update(key).digest();
      return { digest, id: `key_${digest.toString('hex').slice(0, 12)}` };
    });
  }

  /**
   * Headers that already authenticated, so a valid key is hashed once, not per request. Only successes
   * are kept (a few entries: one per configured key and header spelling); failures always take the
   * full constant-time path.
   */
  private readonly accepted = new Map<string, string>();

  /** The id of the key in an Authorization header, or null. */
  authenticate(authorization: string | undefined): string | null {
    if (authorization === undefined) return null;
    const known = this.accepted.get(authorization);
    if (known) return known;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return null;
    const digest = createHash('sha256').update(match[1]).digest();
    let found: string | null = null;
    for (const k of this.keys) if (timingSafeEqual(k.digest, digest)) found = k.id;
    if (found && this.accepted.size < 64) this.accepted.set(authorization, found);
    return found;
  }
}
