import type { CallStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { DeliveryEvent } from '../../ports/delivery.port';

// Voiso call webhooks (docs/providers/voiso.md): `{event, timestamp, secret, data: {id, disposition?, ...}}`.

export const DISPOSITION: Record<string, CallStatus> = {
  answered: 'completed',
  busy: 'busy',
  no_answer: 'no_answer',
  missed: 'no_answer',
  answered_by_VM: 'no_answer',
  machine_answered: 'no_answer',
  failed: 'failed',
  rejected: 'failed',
  system_reject: 'failed',
  abandoned: 'canceled',
  dialer_abandoned: 'canceled',
  system_abandoned: 'canceled',
};

interface VoisoPayload {
  event?: unknown;
  timestamp?: unknown;
  data?: { id?: unknown; disposition?: unknown; duration?: { total?: unknown } } | null;
}

function statusOf(event: string, disposition: string | undefined): CallStatus | null {
  if (event.endsWith('.call.answered')) return 'answered';
  // an outcome we do not know moves nothing: `completed` is final and would never be replaced
  if (event.endsWith('.call.hangup')) return disposition ? (mapped(DISPOSITION, disposition) ?? null) : 'completed';
  // `*.ended` comes after post-call work: nothing changes for the call.
  return null;
}

/** One verified webhook (see verifyVoisoWebhook) as a DeliveryEvent; each event name happens once per call. */
export function voisoCallEvent(p: VoisoPayload): DeliveryEvent {
  const event = typeof p.event === 'string' ? p.event : '';
  const id = typeof p.data?.id === 'string' ? p.data.id : '';
  if (!event || !id) throw new ConnectorError('refused', 'Voiso webhook without event or data.id');
  const disposition = typeof p.data?.disposition === 'string' ? p.data.disposition : undefined;
  const at =
    typeof p.timestamp === 'string' && !Number.isNaN(Date.parse(p.timestamp)) ? new Date(p.timestamp) : new Date();
  const total = p.data?.duration?.total;
  return {
    providerEventId: `${id}:${event}`,
    providerMessageId: id,
    status: statusOf(event, disposition),
    providerStatus: disposition ? `${event}:${disposition}` : event,
    at,
    details: typeof total === 'number' ? { duration_seconds: total } : undefined,
  };
}
