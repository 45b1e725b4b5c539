import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface NatsOptions {
  url: string;
  /** Connection name shown by the server's monitoring (service and instance). */
  name: string;
}

/** Connects with unlimited reconnects: a NATS restart is a pause, not an outage of the process. */
export async function connectNats(opts: NatsOptions & { timeoutMs?: number }): Promise<NatsConnection> {
  return connect({
    servers: opts.url,
    name: opts.name,
    timeout: opts.timeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
}

/** Subject prefix isolates a deployment (or a test file) on a shared NATS server. */
export function prefixed(prefix: string, subject: string): string {
  return prefix ? `${prefix}.${subject}` : subject;
}

/** A stream or consumer name derived from the prefix (names cannot contain dots). */
export function prefixedName(prefix: string, name: string): string {
  return prefix ? `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_${name}` : name;
}
