import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

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

/** A traceparent for the next hop: same trace, a new span id. */
export function nextTraceparent(traceId: string): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
