import type { ErrorEnvelope } from './errors';

/** Reply wire format of every request subject: exactly one of `data` or `error`. */
export type ReplyEnvelope<T> = { ok: true; data: T } | { ok: false; error: ErrorEnvelope };

/**
 * A request its service validates itself, its rules and the checks only it can make together, so that one
 * 400 lists every invalid field: T's fields as the caller sent them.
 */
export type Unvalidated<T> = { [K in keyof T]?: unknown };

/** NATS header names we set on every request. */
export const Headers = {
  requestId: 'x-request-id',
  traceparent: 'traceparent',
  /** Set by the gateway: the id (not the value) of the platform key that made the call. */
  actor: 'x-actor-key-id',
  /** Set by the gateway: that key's scope, `read` or `admin`. */
  scope: 'x-actor-key-scope',
} as const;

export const SERVICES = ['catalog', 'payments', 'kyc', 'comms', 'affiliates'] as const;
export type ServiceName = (typeof SERVICES)[number];
