import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/** Per-request context carried across awaits: the request id travels in NATS headers between processes. */
export interface RequestContext {
  requestId: string;
  /** W3C trace id (32 hex), carried as `traceparent` across HTTP and NATS hops. */
  traceId?: string;
  /** The platform key's id (never the key itself). */
  actor?: string;
  /** The platform key's scope: `read` or `admin`. */
  scope?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a W3C traceparent header, or undefined when absent or malformed. */
export function traceIdOf(traceparent: string | undefined | null): string | undefined {
  const m = TRACEPARENT.exec(traceparent ?? '');
  return m && !/^0+$/.test(m[1]) ? m[1] : undefined;
}

// Ids come from one pool of CSPRNG bytes refilled when spent: a randomBytes() call per id cost about
// 8 % of the gateway's busy time in the pipeline benchmark's profile (2026-12-07).
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `bytes` fresh random bytes as lower-case hex; no byte of the pool is handed out twice. */
export function randomHex(bytes: number): string {
  if (bytes > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} bytes`);
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** A traceparent for the next hop: same trace, a new span id. */
export function nextTraceparent(traceId: string): string {
  return `00-${traceId}-${randomHex(8)}-01`;
}

export function newTraceId(): string {
  return randomHex(16);
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
