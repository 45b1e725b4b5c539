import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';

export interface NatsOptions {
  url: string;
  /** Connection name shown by the server's monitoring (service and instance). */
  name: string;
  /** The app this process is (`gateway`, `catalog`, ...): its replies arrive under its own inbox prefix. */
  app: string;
  /** NATS_USER / NATS_PASSWORD; empty for an unauthenticated local NATS. */
  user?: string;
  pass?: string;
  timeoutMs?: number;
}

/**
 * Where replies to this app's requests (core request-reply, JetStream API calls and publish acks,
 * pull-consumer deliveries) arrive. The server grants each app's user only its own prefix, so no
 * other client can read them (decrypted provider configuration travels in such replies).
 */
export function inboxPrefixFor(app: string): string {
  return `_INBOX_${app}`;
}

/**
 * Unlimited reconnects: a NATS restart is a pause, not an outage of the process. No async traces:
 * with them nats.js builds a RequestError and a TimeoutError (each capturing a stack) for every request
 * in case it fails, 7 % of the gateway's busy time in the foundation profile (2026-12-08); a timeout
 * still fails as TimeoutError, only without the caller's stack.
 */
export function natsConnectOptions(opts: NatsOptions): ConnectionOptions {
  return {
    servers: opts.url,
    name: opts.name,
    timeout: opts.timeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    inboxPrefix: inboxPrefixFor(opts.app),
    noAsyncTraces: true,
    ...(opts.user ? { user: opts.user, pass: opts.pass ?? '' } : {}),
  };
}

export async function connectNats(opts: NatsOptions): Promise<NatsConnection> {
  return connect(natsConnectOptions(opts));
}

/** Subject prefix isolates a deployment (or a test file) on a shared NATS server. */
export function prefixed(prefix: string, subject: string): string {
  return prefix ? `${prefix}.${subject}` : subject;
}

/** A stream or consumer name derived from the prefix (names cannot contain dots). */
export function prefixedName(prefix: string, name: string): string {
  return prefix ? `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_${name}` : name;
}
