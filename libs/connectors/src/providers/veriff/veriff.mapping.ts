import { isISO8601 } from 'class-validator';

import { mapped } from '../../http';
import type { KycApplicantDetails, KycDocType, KycStatus } from '../../ports/kyc.port';

/**
 * `verification.status` of a decision (docs/providers/veriff.md#status-mapping) onto the API's KYC statuses.
 * `review` is a manual review in progress: on hold until Veriff decides.
 */
export const VERIFF_DECISION_STATUSES: Readonly<Record<string, KycStatus>> = {
  approved: 'approved',
  declined: 'rejected',
  resubmission_requested: 'resubmission_requested',
  expired: 'resubmission_requested',
  abandoned: 'resubmission_requested',
  review: 'on_hold',
};

/**
 * `action` of an event webhook (code 7001 `started`, 7002 `submitted`). They map to no status: the
 * record is already `pending` from the session's creation, and these events carry no time of their own,
 * so one delivered late would otherwise be ordered after (and undo) the decision that followed it.
 */
export const VERIFF_EVENT_ACTIONS = ['started', 'submitted'] as const;

/** Every status Veriff documents, decisions and events. */
export const VERIFF_STATUSES = [...Object.keys(VERIFF_DECISION_STATUSES), ...VERIFF_EVENT_ACTIONS];

/** A decision status mapped; unknown ones (and inherited names) are null: kept in history, no move. */
export function mapVeriffStatus(status: unknown): KycStatus | null {
  return mapped(VERIFF_DECISION_STATUSES, typeof status === 'string' ? status : null) ?? null;
}

export interface VeriffRiskLabel {
  label?: unknown;
  category?: unknown;
}

export interface VeriffDecision {
  id?: unknown;
  attemptId?: unknown;
  status?: unknown;
  code?: unknown;
  reason?: unknown;
  reasonCode?: unknown;
  vendorData?: unknown;
  decisionTime?: unknown;
  acceptanceTime?: unknown;
  person?: { firstName?: unknown; lastName?: unknown; dateOfBirth?: unknown } | null;
  document?: { type?: unknown; country?: unknown; number?: unknown; validFrom?: unknown; validUntil?: unknown } | null;
  riskLabels?: unknown;
}

/** The reasons of a decline or resubmission: `reasonCode` (`reason:<code>`) and the risk labels' names. */
export function veriffRejectLabels(v: VeriffDecision | null | undefined): string[] {
  if (!v) return [];
  const status = mapVeriffStatus(v.status);
  if (status !== 'rejected' && status !== 'resubmission_requested') return [];
  const out: string[] = [];
  if (typeof v.reasonCode === 'number' || (typeof v.reasonCode === 'string' && v.reasonCode !== ''))
    out.push(`reason:${String(v.reasonCode)}`);
  if (Array.isArray(v.riskLabels))
    for (const l of v.riskLabels as VeriffRiskLabel[])
      if (l && typeof l.label === 'string' && l.label !== '') out.push(l.label);
  return out;
}

/** `decisionTime` (ISO 8601 with offset); null when absent or unreadable. */
export function parseVeriffTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '' || !isISO8601(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const DOC_TYPES: Record<string, KycDocType> = {
  PASSPORT: 'passport',
  ID_CARD: 'id_card',
  DRIVERS_LICENSE: 'driving_license',
  RESIDENCE_PERMIT: 'residence_permit',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateOrNull = (v: unknown) => (typeof v === 'string' && DATE.test(v) && isISO8601(v, { strict: true }) ? v : null);
const alpha2 = (v: unknown) => (typeof v === 'string' && /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : null);

/** Document type, country (Veriff writes ISO 3166-1 alpha-2), birth date and expiry of a decision. */
export function veriffDetails(v: VeriffDecision | null | undefined): KycApplicantDetails {
  const type = v?.document?.type;
  return {
    docType: typeof type === 'string' && type !== '' ? (mapped(DOC_TYPES, type) ?? 'other') : null,
    docCountry: alpha2(v?.document?.country),
    birthDate: dateOrNull(v?.person?.dateOfBirth),
    docExpiry: dateOrNull(v?.document?.validUntil),
  };
}
