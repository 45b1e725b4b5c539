/**
 * How often a durable consumer offers a failing message again, and when it gives up and parks it.
 * nats-server 2.9 redelivers a bare nak() at once and applies a consumer's `backoff` only to ack-wait
 * expiry, so the delay of each nak is computed here from the delivery count; and since the server
 * drops a message silently at `max_deliver`, the consumer parks it itself on its last delivery.
 */
export interface RetryPolicy {
  /** Deliveries before the message is parked (the first one included). */
  maxDeliveries: number;
  /** Delay after the first failed delivery; it doubles after each further one. */
  baseDelayMs: number;
  /** The longest delay between two deliveries. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxDeliveries: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** The delay before delivery `deliveryCount + 1`, after delivery `deliveryCount` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, deliveryCount: number): number {
  const exponent = Math.max(0, Math.min(deliveryCount - 1, 30));
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

export function isLastDelivery(policy: RetryPolicy, deliveryCount: number): boolean {
  return deliveryCount >= policy.maxDeliveries;
}

/** The server-side limit: never reached before we park, so the server never drops a message itself. */
export const SERVER_MAX_DELIVER = -1;

export function retryPolicyOf(opts: {
  maxDeliveries?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}): RetryPolicy {
  const baseDelayMs = opts.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs;
  return {
    maxDeliveries: Math.max(1, opts.maxDeliveries ?? DEFAULT_RETRY_POLICY.maxDeliveries),
    baseDelayMs,
    maxDelayMs: Math.max(baseDelayMs, opts.maxRetryDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs),
  };
}
