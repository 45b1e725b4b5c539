import { MAX_CLOCK_AHEAD_MS, type KycDocTypeValue, type KycStatusValue } from '@app/contracts';

import type { EventSource } from '../records/kyc.entities';

export interface DecisionDetails {
  docType?: KycDocTypeValue | null;
  docCountry?: string | null;
  birthDate?: string | null;
  docExpiry?: string | null;
}

/** One recorded event, mapped: what ApplyKycDecision needs, whatever its source. */
export interface KycDecision {
  /** The history row this decision comes from. */
  eventId: string;
  source: EventSource;
  provider: string;
  providerId: string | null;
  /** The customer UUID the event names, when it names one. */
  customerId: string | null;
  /** Null: the event does not move the status (details only). */
  status: KycStatusValue | null;
  providerStatus: string | null;
  /** Null: unchanged (or cleared by a review outcome that names none). */
  rejectLabels: string[] | null;
  occurredAt: Date;
  details: DecisionDetails | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const asCustomerId = (ref: string | null | undefined): string | null =>
  ref && UUID.test(ref) ? ref.toLowerCase() : null;

/**
 * The time a provider event is ordered by: its own, but never more than MAX_CLOCK_AHEAD_MS past its
 * receipt (none given: the receipt). A far-future claim would otherwise outrank every later decision
 * for good; clamped, an event received later with a later provider time always sorts at or after it.
 */
export function orderingTime(occurredAt: Date | null | undefined, receivedAt: Date): Date {
  const limit = receivedAt.getTime() + MAX_CLOCK_AHEAD_MS;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) return receivedAt;
  return occurredAt.getTime() > limit ? new Date(limit) : occurredAt;
}
