import { createHmac, timingSafeEqual } from 'node:crypto';

import type { CommsStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { CallbackResult, DeliveryEvent, InboundCallback, ParseCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';

// Mailgun webhooks (docs/providers/mailgun.md): one JSON event per POST, `{signature: {timestamp, token,
// signature}, "event-data": {...}}`. The signature is hex HMAC-SHA256(webhook signing key, timestamp + token):
// it covers no byte of the event, so the token is single-use (CallbackResult.replayGuard) and the
// timestamp must be recent.

/** How far a signed timestamp may be from our clock, either way. */
export const MAILGUN_WINDOW_SECONDS = 15 * 60;

/** Event types (Mailgun's event-types reference) onto our statuses; `failed` is read with its severity. */
export const MAILGUN_STATUS_TABLE: Record<string, CommsStatus | null> = {
  accepted: 'queued',
  rejected: 'failed',
  delivered: 'delivered',
  'failed:permanent': 'bounced',
  // Mailgun retries a temporary failure: nothing is final yet
  'failed:temporary': null,
  opened: 'opened',
  clicked: 'clicked',
  unsubscribed: 'unsubscribed',
  complained: 'spam',
  // an inbound message stored for later retrieval: not about a message we sent
  stored: null,
};

/** Every event type Mailgun documents, with the severities of `failed` (for the conformance kit). */
export const MAILGUN_STATUSES = Object.keys(MAILGUN_STATUS_TABLE);

/** hex HMAC-SHA256(key, timestamp + token), as Mailgun computes it. */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * Checks the `signature` object: lower-case hex of the right length compared in constant time, and a
 * timestamp within MAILGUN_WINDOW_SECONDS of `now`. Returns the token.
 */
export function verifyMailgunSignature(
  signingKey: string,
  signature: unknown,
  now: () => number = Date.now,
): { token: string; timestamp: number } {
  const s = obj(signature);
  const timestamp = typeof s?.timestamp === 'number' ? String(s.timestamp) : str(s?.timestamp);
  const token = str(s?.token);
  const given = str(s?.signature);
  if (!timestamp || !token || !given) throw new ConnectorError('bad_signature', 'Mailgun signature is missing');
  if (!/^\d{1,12}$/.test(timestamp)) throw new ConnectorError('bad_signature', 'Mailgun timestamp is not a number');
  const expected = Buffer.from(mailgunSignature(signingKey, timestamp, token), 'utf8');
  const got = Buffer.from(given, 'utf8');
  // re-cased hex is refused like any other mismatch: Mailgun sends lower case
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    throw new ConnectorError('bad_signature', 'Mailgun signature does not match');
  const skew = Math.abs(now() / 1000 - Number(timestamp));
  if (skew > MAILGUN_WINDOW_SECONDS)
    throw new ConnectorError(
      'bad_signature',
      `Mailgun timestamp is outside the ${MAILGUN_WINDOW_SECONDS / 60} min window`,
    );
  return { token, timestamp: Number(timestamp) };
}

function toEvent(data: Record<string, unknown>): DeliveryEvent {
  const name = str(data.event) ?? 'unknown';
  const severity = str(data.severity);
  const key = name === 'failed' ? `failed:${severity === 'temporary' ? 'temporary' : 'permanent'}` : name;
  const recipient = str(data.recipient);
  const headers = obj(obj(data.message)?.headers);
  const vars = obj(data['user-variables']);
  const status = obj(data['delivery-status']);
  const reason = str(data.reason) ?? str(status?.description) ?? str(status?.message);
  const suppress = !recipient
    ? undefined
    : key === 'failed:permanent'
      ? { address: recipient, reason: 'bounce' as const }
      : name === 'complained'
        ? { address: recipient, reason: 'spam' as const }
        : name === 'unsubscribed'
          ? { address: recipient, reason: 'unsubscribe' as const }
          : undefined;
  const ts = typeof data.timestamp === 'number' ? data.timestamp * 1000 : Date.now();
  const id = str(data.id);
  if (!id) throw new ConnectorError('refused', 'Mailgun event-data has no id');
  const details: Record<string, unknown> = {};
  if (reason) details.reason = reason.slice(0, 500);
  if (typeof status?.code === 'number') details.code = status.code;
  return {
    providerEventId: id,
    messageId: str(vars?.message_id),
    // the send answer's id is this header in angle brackets
    providerMessageId: str(headers?.['message-id']),
    status: mapped(MAILGUN_STATUS_TABLE, key) ?? null,
    providerStatus: name === 'failed' ? key : name,
    at: new Date(ts),
    suppress,
    details: Object.keys(details).length ? details : undefined,
  };
}

/** The parser on a given clock (the spec checks the window and its vector at the time it was signed). */
export function mailgunWebhookParser(now: () => number = Date.now): ParseCallback {
  return (config, cb) => parseMailgunWebhookAt(config, cb, now);
}

export function parseMailgunWebhook(config: ConnectorConfig, cb: InboundCallback): CallbackResult {
  return parseMailgunWebhookAt(config, cb, Date.now);
}

function parseMailgunWebhookAt(config: ConnectorConfig, cb: InboundCallback, now: () => number): CallbackResult {
  const key = config.credentials?.webhook_signing_key;
  if (!key) throw new ConnectorError('bad_signature', 'no Mailgun webhook_signing_key is configured');
  let parsed: unknown;
  try {
    parsed = JSON.parse(cb.body.toString('utf8'));
  } catch {
    throw new ConnectorError('bad_signature', 'Mailgun webhook body is not JSON (unsigned)');
  }
  const body = obj(parsed);
  const { token } = verifyMailgunSignature(key, body?.signature, now);
  const data = obj(body?.['event-data']);
  if (!data) throw new ConnectorError('refused', 'Mailgun webhook without event-data');
  return {
    events: [toEvent(data)],
    // twice the window: a token stays claimed as long as its timestamp can verify, skew both ways included
    replayGuard: { token, ttlMs: 2 * MAILGUN_WINDOW_SECONDS * 1000 + 60_000 },
  };
}
