import { IsInt, Matches, Max, Min } from 'class-validator';

import { ConnectorCallerConfig } from '@app/connectors';
import { withVaultKeys } from '@app/runtime/service';

const CODE_LIST = /^([A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*)?$/;
const WORD_LIST = /^([A-Za-z_]+(\s*,\s*[A-Za-z_]+)*)?$/;

/** Every variable of the kyc service, with its default (the gates' policy is configuration). */
/** The vault seals stored Idempotency-Key answers (they hold access tokens). */
export class KycConfig extends withVaultKeys(ConnectorCallerConfig) {
  /** Document countries that fail the country gate: ISO alpha-2, comma-separated. */
  @Matches(CODE_LIST, { message: 'KYC_RESTRICTED_COUNTRIES must be comma-separated ISO 3166-1 alpha-2 codes' })
  KYC_RESTRICTED_COUNTRIES = 'KP,IR,SY,CU';

  /** Document types that pass the document gate. */
  @Matches(WORD_LIST, { message: 'KYC_ACCEPTED_DOC_TYPES must be comma-separated document types' })
  KYC_ACCEPTED_DOC_TYPES = 'passport,id_card,driving_license,residence_permit';

  /** Provider reject labels that fail the screening gate. */
  @Matches(WORD_LIST, { message: 'KYC_SCREENING_LABELS must be comma-separated labels' })
  KYC_SCREENING_LABELS = 'SANCTIONS,PEP,ADVERSE_MEDIA,CRIMINAL,COMPROMISED_PERSONS,BLACKLIST';

  @IsInt()
  @Min(0)
  @Max(150)
  KYC_MIN_AGE = 18;

  /** How often the reconciliation job looks for applicants stuck in pending. */
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  KYC_RECONCILE_INTERVAL_MS = 300_000;

  /** An applicant pending longer than this is polled from the provider (SumSub retries a webhook only 4 times). */
  @IsInt()
  @Min(0)
  @Max(30 * 86_400_000)
  KYC_RECONCILE_PENDING_AGE_MS = 3_600_000;

  @IsInt()
  @Min(1)
  @Max(1000)
  KYC_RECONCILE_BATCH = 50;

  /** A webhook whose applicant fetch keeps failing is applied without the fetched details after this many tries. */
  @IsInt()
  @Min(1)
  @Max(100)
  KYC_ENRICH_MAX_ATTEMPTS = 5;

  /** Delay before a failed enrichment is retried. */
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  KYC_ENRICH_RETRY_MS = 2000;

  /**
   * Webhook events processed at once by one replica: events of different customers in parallel, those
   * of one customer (or applicant) one after another, in order. Each holds a Postgres connection only
   * while it applies (the applicant fetch runs before), so keep it below DB_POOL_SIZE.
   */
  @IsInt()
  @Min(1)
  @Max(256)
  KYC_CONSUMER_CONCURRENCY = 8;

  /** Idempotency keys are remembered this long. */
  @IsInt()
  @Min(60_000)
  @Max(30 * 86_400_000)
  KYC_IDEMPOTENCY_TTL_MS = 86_400_000;
}

export const csv = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
