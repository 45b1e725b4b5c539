import { createPublicKey, verify, type KeyObject } from 'node:crypto';

import type { CallStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { CallbackResult, DeliveryEvent, InboundCallback, ParseCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';

// Telnyx Call Control webhooks (docs/providers/telnyx.md): JSON `{data: {event_type, id, occurred_at,
// payload: {call_control_id, client_state, hangup_cause, ...}}}`, signed with Ed25519 over
// `${telnyx-timestamp}|${raw body}` (signature base64 in `telnyx-signature-ed25519`), verified with the
// account's public key. The whole body is signed, so a replay inside the window is the same event id
// (de-duplicated by comms), and the window itself refuses an older capture.

/** How far the signed timestamp may be from our clock, either way (Telnyx's SDKs use 300 s). */
export const TELNYX_WINDOW_SECONDS = 300;

/** DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the 32 raw key bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The account's public key as the Mission Control portal shows it: base64 of the 32 raw Ed25519 bytes
 * (base64 of the DER SPKI form is accepted too). Anything else is refused.
 */
export function telnyxPublicKey(value: string): KeyObject {
  const text = value.trim();
  const raw = BASE64.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  const der =
    raw.length === 32
      ? Buffer.concat([SPKI_PREFIX, raw])
      : raw.length === 44 && raw.subarray(0, 12).equals(SPKI_PREFIX)
        ? raw
        : null;
  if (!der) throw new ConnectorError('invalid_config', 'credential public_key is not a base64 Ed25519 public key');
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/**
 * Verifies the Ed25519 signature of `${timestamp}|${body}` and the timestamp window; throws bad_signature.
 * The signature must be canonical base64 of 64 bytes (a re-encoded or re-cased one is refused).
 */
export function verifyTelnyxSignature(
  publicKey: string | undefined,
  headers: Record<string, string>,
  body: Buffer,
  now: () => number = Date.now,
): void {
  if (!publicKey) throw new ConnectorError('bad_signature', 'no Telnyx public_key is configured');
  let key: KeyObject;
  try {
    key = telnyxPublicKey(publicKey);
  } catch {
    throw new ConnectorError('bad_signature', 'the configured Telnyx public_key is not an Ed25519 key');
  }
  const given = headers['telnyx-signature-ed25519'];
  const ts = headers['telnyx-timestamp'];
  if (!given || !ts) throw new ConnectorError('bad_signature', 'Telnyx webhook is not signed');
  const sig = BASE64.test(given) ? Buffer.from(given, 'base64') : Buffer.alloc(0);
  if (sig.length !== 64 || sig.toString('base64') !== given)
    throw new ConnectorError('bad_signature', 'Telnyx signature is not base64 of 64 bytes');
  if (!/^\d{1,12}$/.test(ts)) throw new ConnectorError('bad_signature', 'Telnyx timestamp is not a number');
  const signed = Buffer.concat([Buffer.from(`${ts}|`, 'utf8'), body]);
  if (!verify(null, signed, key, sig)) throw new ConnectorError('bad_signature', 'Telnyx signature does not match');
  if (Math.abs(now() / 1000 - Number(ts)) > TELNYX_WINDOW_SECONDS)
    throw new ConnectorError('bad_signature', `Telnyx timestamp is outside the ${TELNYX_WINDOW_SECONDS} s window`);
}

// ---- client_state: what we put on each leg, echoed (signed) in its webhooks ----

export interface TelnyxLegState {
  /** Our message (call) id. */
  m: string;
  leg: 'agent' | 'lead';
  /** Agent leg: the lead to transfer to once the agent answers. */
  to?: string;
  /** Lead leg: the agent leg's call_control_id (our provider id of the call). */
  a?: string;
}

export const encodeClientState = (s: TelnyxLegState): string => Buffer.from(JSON.stringify(s)).toString('base64');

export function decodeClientState(value: unknown): TelnyxLegState | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return undefined;
  try {
    const s = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Partial<TelnyxLegState> | null;
    if (!s || typeof s.m !== 'string' || (s.leg !== 'agent' && s.leg !== 'lead')) return undefined;
    return {
      m: s.m,
      leg: s.leg,
      ...(typeof s.to === 'string' ? { to: s.to } : {}),
      ...(typeof s.a === 'string' ? { a: s.a } : {}),
    };
  } catch {
    return undefined;
  }
}

// ---- status mapping ----

/**
 * `hangup_cause` of the lead leg (the call's outcome). Telnyx documents call_rejected, normal_clearing,
 * originator_cancel, timeout, time_limit, user_busy, not_found, no_answer and unspecified.
 */
export const LEAD_HANGUP: Record<string, CallStatus> = {
  normal_clearing: 'completed',
  time_limit: 'completed',
  user_busy: 'busy',
  timeout: 'no_answer',
  no_answer: 'no_answer',
  call_rejected: 'failed',
  not_found: 'failed',
  unspecified: 'failed',
  originator_cancel: 'canceled',
};

/** Every hangup_cause Telnyx documents (for the conformance kit). */
export const TELNYX_HANGUP_CAUSES = Object.keys(LEAD_HANGUP);

/**
 * The agent leg's hangup: before the agent answered it is the call's outcome (agent busy, not
 * answering...); a normal end after answering says nothing the lead leg does not say better.
 */
function agentHangupStatus(cause: string | undefined): CallStatus | null {
  if (cause === 'normal_clearing' || cause === 'time_limit') return null;
  return mapped(LEAD_HANGUP, cause) ?? null;
}

/** The event types that move a call, per leg; any other type is recorded with no status. */
export function telnyxStatus(eventType: string, leg: 'agent' | 'lead', cause?: string): CallStatus | null {
  switch (eventType) {
    case 'call.initiated':
      return leg === 'agent' ? 'initiated' : 'ringing';
    case 'call.answered':
      // the agent picked up: the lead is being dialled now
      return leg === 'agent' ? 'ringing' : 'answered';
    case 'call.bridged':
      return 'answered';
    case 'call.hangup':
      return leg === 'agent' ? agentHangupStatus(cause) : (mapped(LEAD_HANGUP, cause) ?? 'failed');
    default:
      return null;
  }
}

/** The event types the mapping reads (for the conformance kit and the reference). */
export const TELNYX_EVENT_TYPES = ['call.initiated', 'call.answered', 'call.bridged', 'call.hangup'];

// ---- parsing ----

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** What confirmCallback needs to bridge the lead once the agent answered (DeliveryEvent.confirm). */
export interface TransferRequest extends Record<string, string> {
  action: 'transfer';
  call_control_id: string;
  message_id: string;
  to: string;
  webhook_url: string;
}

/** What confirmCallback needs to end the agent leg left up by a lead leg that never connected. */
export interface AgentHangupRequest extends Record<string, string> {
  action: 'hangup_agent';
  call_control_id: string;
  message_id: string;
}

function readEvent(config: ConnectorConfig, cb: InboundCallback, now: () => number): DeliveryEvent {
  verifyTelnyxSignature(config.credentials?.public_key, cb.headers, cb.body, now);
  let parsed: unknown;
  try {
    parsed = JSON.parse(cb.body.toString('utf8'));
  } catch {
    throw new ConnectorError('refused', 'Telnyx webhook body is not JSON');
  }
  const data = obj(obj(parsed)?.data);
  const payload = obj(data?.payload);
  const eventType = str(data?.event_type);
  const id = str(data?.id);
  if (!data || !payload || !eventType || !id)
    throw new ConnectorError('refused', 'Telnyx webhook without data.event_type, data.id or data.payload');
  const ccid = str(payload.call_control_id);
  const state = decodeClientState(payload.client_state);
  const leg = state?.leg ?? 'agent';
  const cause = str(payload.hangup_cause);
  const occurred = str(data.occurred_at);
  const at = occurred && !Number.isNaN(Date.parse(occurred)) ? new Date(occurred) : new Date();
  const details: Record<string, unknown> = { leg };
  if (cause) details.hangup_cause = cause;
  const sip = str(payload.sip_hangup_cause);
  if (sip) details.sip_hangup_cause = sip;
  const source = str(payload.hangup_source);
  if (source) details.hangup_source = source;
  const event: DeliveryEvent = {
    providerEventId: id,
    messageId: state?.m,
    // the call is the agent leg: the lead leg names it in its client_state
    providerMessageId: leg === 'lead' ? (state?.a ?? ccid) : ccid,
    status: telnyxStatus(eventType, leg, cause),
    providerStatus: cause ? `${eventType}:${cause}` : eventType,
    at,
    details,
  };
  // the platform calls Telnyx after a callback through confirmCallback only
  if (eventType === 'call.answered' && leg === 'agent' && ccid && state?.to) {
    const base = cb.url.split('?')[0];
    const transfer: TransferRequest = {
      action: 'transfer',
      call_control_id: ccid,
      message_id: state.m,
      to: state.to,
      webhook_url: base,
    };
    event.confirm = transfer;
  }
  if (
    eventType === 'call.hangup' &&
    leg === 'lead' &&
    state?.a &&
    cause !== 'normal_clearing' &&
    cause !== 'time_limit'
  ) {
    const hangup: AgentHangupRequest = { action: 'hangup_agent', call_control_id: state.a, message_id: state.m };
    event.confirm = hangup;
  }
  return event;
}

/** The ParseCallback with its clock (tests move it); one event per webhook. */
export function telnyxWebhookParser(now: () => number = Date.now): ParseCallback {
  return (config, cb): CallbackResult => ({ events: [readEvent(config, cb, now)] });
}
