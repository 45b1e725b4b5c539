import { createHash } from 'node:crypto';

import type { CommsStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { CallbackResult, DeliveryEvent, InboundCallback, ParseCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';
import { verifySendgridEventWebhook } from './sendgrid.signing';

// SendGrid Event Webhook (docs/providers/sendgrid.md): a signed, batched JSON array of events.

type SgEvent = Record<string, unknown>;

export const STATUS: Record<string, CommsStatus | null> = {
  processed: 'queued',
  deferred: 'queued',
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  dropped: 'failed',
  spamreport: 'spam',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
  group_resubscribe: null,
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toEvent(e: SgEvent): DeliveryEvent {
  const name = str(e.event) ?? 'unknown';
  const email = str(e.email)?.toLowerCase();
  // A `blocked` bounce is temporary (IP reputation, content): bounced, but the address stays usable.
  const hardBounce = name === 'bounce' && e.type !== 'blocked';
  const suppress = !email
    ? undefined
    : hardBounce
      ? { address: email, reason: 'bounce' as const }
      : name === 'spamreport'
        ? { address: email, reason: 'spam' as const }
        : name === 'unsubscribe' || name === 'group_unsubscribe'
          ? { address: email, reason: 'unsubscribe' as const }
          : undefined;
  const ts = typeof e.timestamp === 'number' ? e.timestamp * 1000 : Date.now();
  const reason = str(e.reason) ?? str(e.response);
  return {
    providerEventId: str(e.sg_event_id) ?? createHash('sha256').update(JSON.stringify(e)).digest('base64url'),
    messageId: str(e.message_id),
    // sg_message_id = X-Message-Id + "." + a per-recipient suffix
    providerMessageId: str(e.sg_message_id)?.split('.')[0],
    status: mapped(STATUS, name) ?? null,
    providerStatus: name === 'bounce' && str(e.type) ? `bounce:${String(e.type)}` : name,
    at: new Date(ts),
    suppress,
    details: reason ? { reason: reason.slice(0, 500) } : undefined,
  };
}

/** The parser on a given clock (tests verify the published vectors at the time they were signed). */
export function sendgridEventParser(now: () => number = Date.now): ParseCallback {
  return (config, cb) => parseSendgridEventsAt(config, cb, now);
}

/** Verifies the ECDSA signature over timestamp + raw body, then maps every event of the batch. */
export function parseSendgridEvents(config: ConnectorConfig, cb: InboundCallback): CallbackResult {
  return parseSendgridEventsAt(config, cb, Date.now);
}

function parseSendgridEventsAt(config: ConnectorConfig, cb: InboundCallback, now: () => number): CallbackResult {
  const key = config.credentials?.webhook_verification_key;
  if (!key) throw new ConnectorError('bad_signature', 'no SendGrid webhook_verification_key is configured');
  verifySendgridEventWebhook(key, cb.body, cb.headers, { now });
  let parsed: unknown;
  try {
    parsed = JSON.parse(cb.body.toString('utf8'));
  } catch {
    throw new ConnectorError('refused', 'SendGrid webhook body is not JSON');
  }
  if (!Array.isArray(parsed))
    throw new ConnectorError('refused', 'SendGrid webhook body is not a JSON array of events');
  return { events: parsed.filter((e): e is SgEvent => !!e && typeof e === 'object').map(toEvent) };
}
