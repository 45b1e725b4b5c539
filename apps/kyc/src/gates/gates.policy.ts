import type { Provider } from '@nestjs/common';

import { SERVICE_CONFIG } from '@app/runtime';

import { csv, type KycConfig } from '../kyc.config';
import type { GatePolicy } from './gates';

export const GATE_POLICY = Symbol('GATE_POLICY');

export function policyFromConfig(c: KycConfig): GatePolicy {
  return {
    restrictedCountries: new Set(csv(c.KYC_RESTRICTED_COUNTRIES).map((x) => x.toUpperCase())),
    acceptedDocTypes: new Set(csv(c.KYC_ACCEPTED_DOC_TYPES).map((x) => x.toLowerCase())),
    screeningLabels: new Set(csv(c.KYC_SCREENING_LABELS).map((x) => x.toUpperCase())),
    minAge: c.KYC_MIN_AGE,
  };
}

export const gatePolicyProvider: Provider = {
  provide: GATE_POLICY,
  inject: [SERVICE_CONFIG],
  useFactory: policyFromConfig,
};
