import { createHash } from 'node:crypto';

import type { CallStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { CallbackResult, DeliveryEvent, InboundCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';
import { verifyZadarmaWebhook, zadarmaGet, zadarmaSignedValues } from './zadarma.api';

// Zadarma PBX notifications (docs/providers/zadarma.md): signed form POSTs, and the zd_echo URL check.
//
// The Signature covers three fields only (for NOTIFY_OUT_*: internal, destination, call_start), the
// same for the start and the end of a call; event, pbx_call_id, disposition and duration are not
// signed. So: events are de-duplicated on the signed fields plus the event name, and the outcome and
// duration of an *_END are taken from Zadarma's call statistics (a signed API call), never from the
// notification. What remains possible is written down in docs/residual-risks.md.

export const DISPOSITION: Record<string, CallStatus> = {
  answered: 'completed',
  busy: 'busy',
  'no answer': 'no_answer',
  cancel: 'canceled',
  failed: 'failed',
  'no money': 'failed',
  'unallocated number': 'failed',
  'no limit': 'failed',
  'no day limit': 'failed',
  'line limit': 'failed',
  'no money, no limit': 'failed',
};

const END_EVENTS = new Set(['NOTIFY_END', 'NOTIFY_OUT_END']);

function statusOf(event: string, f: URLSearchParams): CallStatus | null {
  switch (event) {
    case 'NOTIFY_START':
    case 'NOTIFY_INTERNAL':
    case 'NOTIFY_OUT_START':
      return 'ringing';
    case 'NOTIFY_ANSWER':
      return 'answered';
    case 'NOTIFY_END':
    case 'NOTIFY_OUT_END':
      return mapped(DISPOSITION, f.get('disposition')) ?? null;
    default:
      return null;
  }
}

/** How a call placed by request/callback is recognised in the PBX notifications: the agent side and the digits called. */
export function zadarmaCorrelationKey(internal: string, destination: string): string {
  return `${internal}|${destination.replace(/\D/g, '')}`;
}

/** The zd_echo value as text, bounded: Zadarma sends a short random token. */
const ECHO = /^[\x21-\x7e]{1,256}$/;

export function parseZadarmaNotification(config: ConnectorConfig, cb: InboundCallback): CallbackResult {
  if (cb.method === 'GET') {
    const echo = new URL(cb.url).searchParams.get('zd_echo');
    if (echo === null || !ECHO.test(echo))
      throw new ConnectorError('refused', 'Zadarma URL check without a zd_echo value');
    return { events: [], reply: { status: 200, contentType: 'text/plain', body: echo } };
  }
  const secret = config.credentials?.api_secret;
  if (!secret) throw new ConnectorError('bad_signature', 'no Zadarma api_secret is configured');
  const f = new URLSearchParams(cb.body.toString('utf8'));
  if (!verifyZadarmaWebhook(secret, f, cb.headers.signature))
    throw new ConnectorError('bad_signature', 'Zadarma Signature does not match');
  const event = f.get('event') ?? '';
  const pbx = f.get('pbx_call_id') ?? undefined;
  const internal = f.get('internal');
  const destination = f.get('destination');
  const disposition = f.get('disposition');
  const signed = zadarmaSignedValues(f) ?? [];
  const e: DeliveryEvent = {
    // the signed values joined unambiguously; an unsigned pbx_call_id changed on a replay makes no new event
    providerEventId: `${event}:${createHash('sha256').update(signed.join('\n')).digest('base64url')}`,
    providerMessageId: pbx,
    correlationKey: internal && destination ? zadarmaCorrelationKey(internal, destination) : undefined,
    status: statusOf(event, f),
    providerStatus: disposition ? `${event}:${disposition}` : event,
    at: new Date(),
  };
  if (END_EVENTS.has(event)) {
    // claimed until the statistics confirm them
    const claimed: Record<string, unknown> = {};
    if (f.get('duration')) claimed.claimed_duration_seconds = Number(f.get('duration'));
    if (disposition) claimed.claimed_disposition = disposition;
    e.details = claimed;
    e.confirm = {
      event,
      pbx_call_id: pbx ?? '',
      call_start: f.get('call_start') ?? '',
      // the far end as signed: destination for outgoing calls, the caller for incoming ones
      party: event === 'NOTIFY_OUT_END' ? (destination ?? '') : (f.get('caller_id') ?? ''),
    };
  }
  return { events: [e] };
}

interface PbxStat {
  pbx_call_id?: unknown;
  callstart?: unknown;
  destination?: unknown;
  clid?: unknown;
  disposition?: unknown;
  seconds?: unknown;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const digits = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).replace(/\D/g, '') : '');

/** `YYYY-MM-DD HH:MM:SS` moved by `ms`; the arithmetic is done as if in UTC, so the account's time zone cancels out. */
function shift(date: string, ms: number): string | null {
  if (!DATE.test(date)) return null;
  const t = Date.parse(`${date.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? null : new Date(t + ms).toISOString().replace('T', ' ').slice(0, 19);
}

function unconfirmed(e: DeliveryEvent, reason: string): DeliveryEvent {
  return {
    ...e,
    unconfirmed: reason,
    providerStatus: `${e.providerStatus} (unconfirmed)`,
    details: { ...e.details, unconfirmed: reason },
  };
}

/**
 * An *_END's outcome and duration, from GET /v1/statistics/pbx/: the row must carry the notification's
 * pbx_call_id and its signed call_start and far end, which binds the unsigned id to what was signed.
 */
export async function confirmZadarmaOutcome(
  config: ConnectorConfig,
  e: DeliveryEvent,
  timeoutMs?: number,
): Promise<DeliveryEvent> {
  const c = e.confirm;
  if (!c) return e;
  const { confirm: _, ...event } = e;
  const start = shift(c.call_start, -60_000);
  const end = shift(c.call_start, 24 * 3600_000);
  if (!start || !end || !c.pbx_call_id)
    return unconfirmed(event, 'the notification has no usable call_start or pbx_call_id');
  let rows: PbxStat[];
  try {
    const body = await zadarmaGet<{ stats?: unknown }>(
      config,
      '/v1/statistics/pbx/',
      { start, end, version: '2' },
      timeoutMs,
    );
    rows = Array.isArray(body.stats) ? (body.stats as PbxStat[]).filter((r) => !!r && typeof r === 'object') : [];
  } catch (err) {
    return unconfirmed(
      event,
      `Zadarma statistics lookup failed: ${err instanceof ConnectorError ? err.message : 'unexpected error'}`,
    );
  }
  const far = digits(c.party);
  const row = rows.find(
    (r) =>
      r.pbx_call_id === c.pbx_call_id &&
      r.callstart === c.call_start &&
      (c.event === 'NOTIFY_OUT_END' ? digits(r.destination) : digits(r.clid)) === far,
  );
  if (!row) return unconfirmed(event, 'Zadarma statistics list no call with this pbx_call_id, call_start and number');
  const disposition = typeof row.disposition === 'string' ? row.disposition : '';
  const seconds = Number(row.seconds);
  return {
    ...event,
    status: mapped(DISPOSITION, disposition) ?? null,
    providerStatus: `${c.event}:${disposition}`,
    details: { ...(Number.isFinite(seconds) ? { duration_seconds: seconds } : {}), disposition, confirmed: true },
  };
}
