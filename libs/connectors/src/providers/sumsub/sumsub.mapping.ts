import { isISO8601 } from 'class-validator';

import { mapped } from '../../http';
import type { KycApplicantDetails, KycDocType, KycStatus } from '../../ports/kyc.port';
import { toAlpha2 } from './sumsub.countries';

export interface SumsubReviewResult {
  reviewAnswer?: string;
  rejectLabels?: unknown;
  reviewRejectType?: string;
}

/**
 * Status table of docs/providers/sumsub.md, keyed by the provider status as recorded (`completed/GREEN`,
 * `completed/RED/RETRY`, the `reviewStatus`): `completed/RED` stands for a RED with any other or no reject type.
 */
export const SUMSUB_STATUS_TABLE: Record<string, KycStatus | null> = {
  'completed/GREEN': 'approved',
  'completed/RED/RETRY': 'resubmission_requested',
  'completed/RED/FINAL': 'rejected',
  'completed/RED': 'rejected',
  completed: null,
  onHold: 'on_hold',
  init: 'pending',
  pending: 'pending',
  queued: 'pending',
  prechecked: 'pending',
  awaitingService: 'pending',
  awaitingUser: 'pending',
};

/**
 * Status table of docs/providers/sumsub.md. `reviewAnswer` is trusted only when `reviewStatus` is `completed`;
 * a state we do not know maps to null (kept in history, the status does not move).
 */
export function mapSumsubStatus(
  reviewStatus: unknown,
  result: SumsubReviewResult | undefined,
  eventType?: string,
): KycStatus | null {
  const table = SUMSUB_STATUS_TABLE;
  if (reviewStatus === 'completed') {
    if (result?.reviewAnswer === 'GREEN') return table['completed/GREEN'];
    if (result?.reviewAnswer === 'RED')
      return result.reviewRejectType === 'RETRY' ? table['completed/RED/RETRY'] : table['completed/RED'];
    return table.completed;
  }
  if (eventType === 'applicantOnHold') return table.onHold;
  // a plain review status only: the `completed/...` keys are what a completed review records
  const direct = typeof reviewStatus === 'string' && !reviewStatus.includes('/') ? mapped(table, reviewStatus) : null;
  if (direct) return direct;
  if (eventType === 'applicantCreated' || eventType === 'applicantPending' || eventType === 'applicantReset')
    return 'pending';
  return null;
}

/** The provider status as recorded: `completed/GREEN`, `completed/RED/RETRY`, `pending`. */
export function sumsubProviderStatus(reviewStatus: unknown, result: SumsubReviewResult | undefined): string {
  const base = typeof reviewStatus === 'string' ? reviewStatus : 'unknown';
  if (base !== 'completed' || !result?.reviewAnswer) return base;
  return [base, result.reviewAnswer, result.reviewAnswer === 'RED' ? result.reviewRejectType : undefined]
    .filter(Boolean)
    .join('/');
}

export function rejectLabelsOf(result: SumsubReviewResult | undefined): string[] {
  return Array.isArray(result?.rejectLabels)
    ? result.rejectLabels.filter((l): l is string => typeof l === 'string')
    : [];
}

/** `createdAtMs` is `yyyy-MM-dd HH:mm:ss.fff` in UTC (an ISO string or epoch millis are accepted too). */
export function parseSumsubTime(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value);
  if (typeof value !== 'string' || value === '') return null;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const DOC_TYPES: Record<string, KycDocType> = {
  PASSPORT: 'passport',
  ID_CARD: 'id_card',
  DRIVERS: 'driving_license',
  RESIDENCE_PERMIT: 'residence_permit',
};
/** Not identity documents: never the document the gates judge. */
const NON_IDENTITY = new Set([
  'SELFIE',
  'VIDEO_SELFIE',
  'PROFILE_IMAGE',
  'UTILITY_BILL',
  'BANK_STATEMENT',
  'PROOF_OF_RESIDENCE',
]);

interface SumsubIdDoc {
  idDocType?: unknown;
  country?: unknown;
  validUntil?: unknown;
  dob?: unknown;
}
export interface SumsubApplicant {
  id?: string;
  info?: { country?: unknown; dob?: unknown; idDocs?: SumsubIdDoc[] };
  fixedInfo?: { country?: unknown; dob?: unknown };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A yyyy-mm-dd that exists on the calendar (strict ISO 8601 checks day of month and leap years), else null. */
const dateOrNull = (v: unknown) => (typeof v === 'string' && DATE.test(v) && isISO8601(v, { strict: true }) ? v : null);

/** Document type, country (alpha-3 -> alpha-2), birth date and expiry from `GET .../one`. */
export function sumsubDetails(applicant: SumsubApplicant): KycApplicantDetails {
  const docs = (applicant.info?.idDocs ?? []).filter(
    (d) => typeof d?.idDocType === 'string' && !NON_IDENTITY.has(d.idDocType),
  );
  const doc = docs[0];
  const docType = doc ? (mapped(DOC_TYPES, doc.idDocType as string) ?? 'other') : null;
  return {
    docType,
    docCountry: toAlpha2(doc?.country) ?? toAlpha2(applicant.info?.country) ?? toAlpha2(applicant.fixedInfo?.country),
    birthDate: dateOrNull(doc?.dob) ?? dateOrNull(applicant.info?.dob) ?? dateOrNull(applicant.fixedInfo?.dob),
    docExpiry: dateOrNull(doc?.validUntil),
  };
}
