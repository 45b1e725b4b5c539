import type { GateResult, KycDocTypeValue, KycStatusValue } from '@app/contracts';

import type { GateResults } from '../records/kyc.entities';

export interface GatePolicy {
  restrictedCountries: ReadonlySet<string>;
  acceptedDocTypes: ReadonlySet<string>;
  screeningLabels: ReadonlySet<string>;
  minAge: number;
}

/** What the gates judge: the record after a decision. Null where not known yet. */
export interface GateFacts {
  status: KycStatusValue;
  docType: KycDocTypeValue | null;
  docCountry: string | null;
  docExpiry: string | null;
  birthDate: string | null;
  rejectLabels: string[];
}

const REVIEWED: ReadonlySet<KycStatusValue> = new Set(['approved', 'rejected', 'resubmission_requested']);

/** Full years between a yyyy-mm-dd birth date and `today` (UTC). */
export function ageOn(birthDate: string, today: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  const months = (today.getUTCMonth() + 1) * 100 + today.getUTCDate();
  return today.getUTCFullYear() - y - (months < m * 100 + d ? 1 : 0);
}

function identity(f: GateFacts): GateResult {
  if (f.status === 'approved') return 'pass';
  return f.status === 'rejected' || f.status === 'resubmission_requested' ? 'fail' : 'pending';
}

function document(f: GateFacts, p: GatePolicy, todayIso: string): GateResult {
  if (!f.docType) return 'pending';
  if (!p.acceptedDocTypes.has(f.docType)) return 'fail';
  return f.docExpiry !== null && f.docExpiry < todayIso ? 'fail' : 'pass';
}

function country(f: GateFacts, p: GatePolicy): GateResult {
  if (!f.docCountry) return 'pending';
  return p.restrictedCountries.has(f.docCountry.toUpperCase()) ? 'fail' : 'pass';
}

function age(f: GateFacts, p: GatePolicy, today: Date): GateResult {
  if (!f.birthDate) return 'pending';
  return ageOn(f.birthDate, today) >= p.minAge ? 'pass' : 'fail';
}

/** A screening label fails at once; otherwise screening has passed once the provider has reviewed. */
function screening(f: GateFacts, p: GatePolicy): GateResult {
  if (f.rejectLabels.some((l) => p.screeningLabels.has(l.toUpperCase()))) return 'fail';
  return REVIEWED.has(f.status) ? 'pass' : 'pending';
}

/** The API's five compliance gates; a gate with no data yet is `pending`. */
export function evaluateGates(f: GateFacts, p: GatePolicy, today: Date = new Date()): GateResults {
  const todayIso = today.toISOString().slice(0, 10);
  return {
    identity: identity(f),
    document: document(f, p, todayIso),
    country: country(f, p),
    age: age(f, p, today),
    screening: screening(f, p),
  };
}

export function allPassed(g: GateResults): boolean {
  return Object.values(g).every((r) => r === 'pass');
}

export function sameGates(a: GateResults, b: GateResults): boolean {
  return (Object.keys(a) as (keyof GateResults)[]).every((k) => a[k] === b[k]);
}
