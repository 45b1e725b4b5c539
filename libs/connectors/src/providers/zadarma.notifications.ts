import { mapped } from '../http';
import type { CallStatus } from '@app/contracts';
import { ConnectorError } from '../connector-error';
import type { CallbackResult, DeliveryEvent, InboundCallback } from '../ports/delivery.port';
import type { ConnectorConfig } from '../types';
import { verifyZadarmaWebhook } from './zadarma.connector';

// Zadarma PBX notifications (PROVIDERS.md §8): signed form POSTs, and the zd_echo URL check.

const DISPOSITION: Record<string, CallStatus> = {
  answered: 'completed', busy: 'busy', 'no answer': 'no_answer', cancel: 'canceled', failed: 'failed', 'no money': 'failed',
  'unallocated number': 'failed', 'no limit': 'failed', 'no day limit': 'failed', 'line limit': 'failed', 'no money, no limit': 'failed',
};

function statusOf(event: string, f: URLSearchParams): CallStatus | null {
  switch (event) {
    case 'NOTIFY_START': case 'NOTIFY_INTERNAL': case 'NOTIFY_OUT_START': return 'ringing';
    case 'NOTIFY_ANSWER': return 'answered';
    case 'NOTIFY_END': case 'NOTIFY_OUT_END': return mapped(DISPOSITION, f.get('disposition')) ?? null;
    default: return null;
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
    if (echo === null || !ECHO.test(echo)) throw new ConnectorError('refused', 'Zadarma URL check without a zd_echo value');
    return { events: [], reply: { status: 200, contentType: 'text/plain', body: echo } };
  }
  const secret = config.credentials?.api_secret;
  if (!secret) throw new ConnectorError('bad_signature', 'no Zadarma api_secret is configured');
  const f = new URLSearchParams(cb.body.toString('utf8'));
  if (!verifyZadarmaWebhook(secret, f, cb.headers.signature)) throw new ConnectorError('bad_signature', 'Zadarma Signature does not match');
  const event = f.get('event') ?? '';
  const pbx = f.get('pbx_call_id') ?? undefined;
  const internal = f.get('internal');
  const destination = f.get('destination');
  const details: Record<string, unknown> = {};
  if (f.get('duration')) details.duration_seconds = Number(f.get('duration'));
  if (f.get('disposition')) details.disposition = f.get('disposition');
  const e: DeliveryEvent = {
    providerEventId: `${pbx ?? f.get('call_start') ?? ''}:${event}`,
    providerMessageId: pbx,
    correlationKey: internal && destination ? zadarmaCorrelationKey(internal, destination) : undefined,
    status: statusOf(event, f),
    providerStatus: f.get('disposition') ? `${event}:${f.get('disposition')}` : event,
    at: new Date(),
    details: Object.keys(details).length ? details : undefined,
  };
  return { events: [e] };
}
