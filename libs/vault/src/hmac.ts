import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

// Providers sign webhooks with SHA-1 (Twilio), SHA-256 or SHA-512. Checked at run time too, so an
// algorithm name read from a provider's settings cannot pick something weaker.
const ALGORITHMS: ReadonlySet<string> = new Set<HmacAlgorithm>(['sha1', 'sha256', 'sha512']);

function hmac(algo: HmacAlgorithm, key: string | Buffer, data: string | Buffer): Buffer {
  if (!ALGORITHMS.has(algo)) throw new TypeError(`unsupported HMAC algorithm "${String(algo)}"`);
  return createHmac(algo, key).update(data).digest();
}

export function hmacHex(algo: HmacAlgorithm, key: string | Buffer, data: string | Buffer): string {
  return hmac(algo, key, data).toString('hex');
}

export function hmacBase64(algo: HmacAlgorithm, key: string | Buffer, data: string | Buffer): string {
  return hmac(algo, key, data).toString('base64');
}

/**
 * Constant-time comparison for signatures and tokens. A length mismatch returns false early: the
 * expected length is public (it is fixed by the algorithm), so that leaks nothing, and
 * crypto.timingSafeEqual would throw instead.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  return left.length === right.length && timingSafeEqual(left, right);
}
