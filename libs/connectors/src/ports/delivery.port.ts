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
  /**
   * Set when the address must not be contacted again on this channel (hard bounce, spam report,
   * unsubscribe). Comms writes it through `normaliseAddress` (./address), the form sends are checked in.
   */
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

/**
 * A single-use token of a callback whose signature does not cover its body (Mailgun signs timestamp +
 * token only, so a captured signature would carry any body).
 */
export interface ReplayGuard {
  /** The signed, provider-generated single-use value (Mailgun's `token`, Vonage's `nonce`). */
  token: string;
  /**
   * How long the token must be remembered: at least the whole span over which the connector accepts the
   * callback's signed timestamp (past and future skew), so a token is never forgotten while it could
   * still verify.
   */
  ttlMs: number;
}

export interface CallbackResult {
  events: DeliveryEvent[];
  /** A reply the provider needs (Zadarma's zd_echo); otherwise the service answers 200. */
  reply?: { status: number; contentType: string; body: string };
  /**
   * Set by a connector whose scheme signs no body. Comms claims the token (scoped by provider, with a
   * digest of the exact body) in the transaction that records the events:
   * - a token not seen within its TTL: claimed, the events are applied;
   * - the same token with the same body: a provider retry, answered 2xx, nothing applied twice;
   * - the same token with another body: a forgery reusing a captured signature, refused (401) and
   *   nothing stored.
   * The connector itself refuses a stale timestamp, so an expired (swept) token can never verify again.
   */
  replayGuard?: ReplayGuard;
}

/**
 * Verifies and reads a delivery / call-status callback. Throws ConnectorError('bad_signature') when it
 * cannot be trusted (wrong or missing signature, a timestamp outside the connector's window, or no
 * verification secret configured). Stateless: what must be remembered across callbacks (used tokens)
 * is declared in the result (`replayGuard`) and kept by comms.
 */
export type ParseCallback = (config: ConnectorConfig, callback: InboundCallback) => CallbackResult;

export interface SendOptions {
  timeoutMs?: number;
  /** Where the provider posts status callbacks: PUBLIC_BASE_URL/webhooks/comms/<provider>?message_id=<id>. */
  statusCallbackUrl: string;
}

/** One part of a message the provider split and answers an id for each (a long SMS on Vonage). */
export interface SendPart {
  providerMessageId: string;
  status: CommsStatus;
  providerStatus?: string;
}

/** What a provider said when it accepted a message or call. */
export interface SendResult {
  /** Null when the provider gives no id at send time (Zadarma's callback request). With parts: the first part's id. */
  providerMessageId: string | null;
  /** With parts: the status derived from them (see `parts`). */
  status: CommsStatus;
  providerStatus: string;
  correlationKey?: string;
  /**
   * Every part when the provider answers one id per part. Comms records each, matches a callback by any
   * part's id, and derives the message's status from all of them: delivered only when every part is
   * delivered, failed / undelivered as soon as one part is, otherwise the least advanced part's status.
   */
  parts?: SendPart[];
}
