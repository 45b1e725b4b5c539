import type { CommsStatus } from '@app/contracts';

import type { ConnectorConfig } from '../types';

/** A provider callback as the gateway forwarded it: exact bytes and the public URL the provider called. */
export interface InboundCallback {
  method: string;
  /** PUBLIC_BASE_URL + path + query (what Twilio signs). */
  url: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** One status event read from a verified callback, in our vocabulary. */
export interface DeliveryEvent {
  /** The provider's id of this event, for de-duplication (sg_event_id, or a stable composite). */
  providerEventId: string;
  /** Our message id when the provider echoes it (SendGrid custom_args, our StatusCallback query). */
  messageId?: string;
  /** The provider's id of the message or call. */
  providerMessageId?: string;
  /**
   * For providers that give no id when the call is placed (Zadarma): the key the call was placed under,
   * so the first notification can be matched to it and its provider id recorded.
   */
  correlationKey?: string;
  /** Mapped status; null when the event changes no status (e.g. Voiso's `ended` after wrap-up). */
  status: CommsStatus | null;
  /** The provider's own status or event name, as sent. */
  providerStatus: string;
  at: Date;
  /** Set when the address must not be contacted again on this channel (hard bounce, spam report, unsubscribe). */
  suppress?: { address: string; reason: 'bounce' | 'spam' | 'unsubscribe' };
  /** Non-secret extras worth keeping (reason, error code, duration). */
  details?: Record<string, unknown>;
  /**
   * What the connector's confirmCallback needs to check this event's outcome with the provider's API,
   * for providers whose signature does not cover the outcome (Zadarma). Not stored.
   */
  confirm?: Record<string, string>;
  /** Why the outcome could not be confirmed: the event is recorded for an operator, never applied. */
  unconfirmed?: string;
}

export interface CallbackResult {
  events: DeliveryEvent[];
  /** A reply the provider needs (Zadarma's zd_echo); otherwise the service answers 200. */
  reply?: { status: number; contentType: string; body: string };
}

/**
 * Verifies and reads a delivery / call-status callback. Throws ConnectorError('bad_signature') when it
 * cannot be trusted (wrong or missing signature, or no verification secret configured).
 */
export type ParseCallback = (config: ConnectorConfig, callback: InboundCallback) => CallbackResult;

export interface SendOptions {
  timeoutMs?: number;
  /** Where the provider posts status callbacks: PUBLIC_BASE_URL/webhooks/comms/<provider>?message_id=<id>. */
  statusCallbackUrl: string;
}

/** What a provider said when it accepted a message or call. */
export interface SendResult {
  /** Null when the provider gives no id at send time (Zadarma's callback request). */
  providerMessageId: string | null;
  status: CommsStatus;
  providerStatus: string;
  correlationKey?: string;
}
