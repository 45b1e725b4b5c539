// WIRE PROTOCOL: kyc requests, replies and events.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

import { IsCalendarDate, IsTimestamp } from '../common/dates';
import { IsCountryCode } from '../iso';

/** ISO codes are accepted in any case and kept upper case. */
const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

export const KYC_STATUS_VALUES = ['pending', 'approved', 'rejected', 'resubmission_requested', 'on_hold'] as const;
export type KycStatusValue = (typeof KYC_STATUS_VALUES)[number];
export const KYC_DOC_TYPE_VALUES = ['passport', 'id_card', 'driving_license', 'residence_permit', 'other'] as const;
export type KycDocTypeValue = (typeof KYC_DOC_TYPE_VALUES)[number];

const PROVIDER_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * How far ahead of the receiving clock a decision's time may be (clock skew). Decisions are ordered by
 * their time, so one far in the future would make every real later decision look older: the internal
 * format refuses it, provider events are clamped to receipt + this.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/** A timestamp no more than MAX_CLOCK_AHEAD_MS ahead of this process's clock (its format is checked apart). */
export function IsNotAheadOfClock(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotAheadOfClock',
      validator: {
        validate: (v: unknown) => {
          const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
          return Number.isNaN(t) || t <= Date.now() + MAX_CLOCK_AHEAD_MS;
        },
        defaultMessage: () => `$property must not be more than ${MAX_CLOCK_AHEAD_MS / 60_000} minutes in the future`,
      },
    },
    options,
  );
}

export class CreateApplicantRequest {
  @ApiProperty({ format: 'uuid', description: "The CRM customer; SumSub's externalUserId" })
  @IsUUID('all', { message: 'customer_id must be a UUID' })
  customer_id!: string;

  @ApiPropertyOptional({ example: 'basic-kyc-level', description: "Defaults to the provider's settings.level_name" })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  level_name?: string;

  @ApiPropertyOptional({ format: 'email' })
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+447700900123' })
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be an E.164 number, e.g. +447700900123' })
  phone?: string;

  @ApiPropertyOptional({
    example: 'sumsub',
    description: 'A named active KYC provider; the category default otherwise',
  })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_KEY, { message: 'provider must be a provider key' })
  provider?: string;

  /** The caller's Idempotency-Key header. */
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' })
  idempotency_key?: string;
}

export class CustomerKycRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'customer_id must be a UUID' })
  customer_id!: string;
}

/** The internal KYC format (`POST /webhooks/kyc`), plus optional fields for ordering, de-duplication and the gates. */
export class InternalKycWebhookRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'customer_id must be a UUID' })
  customer_id!: string;

  @ApiProperty({ example: 'manual' })
  @IsString()
  @Matches(PROVIDER_KEY, { message: 'provider must be lower case letters, digits or _' })
  provider!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  provider_id?: string;

  @ApiProperty({ enum: KYC_STATUS_VALUES })
  @IsIn([...KYC_STATUS_VALUES], { message: `status must be one of ${KYC_STATUS_VALUES.join(', ')}` })
  status!: KycStatusValue;

  @ApiPropertyOptional({ enum: KYC_DOC_TYPE_VALUES })
  @IsOptional()
  @IsIn([...KYC_DOC_TYPE_VALUES], { message: `doc_type must be one of ${KYC_DOC_TYPE_VALUES.join(', ')}` })
  doc_type?: KycDocTypeValue;

  @ApiPropertyOptional({ example: 'GB', description: 'ISO 3166-1 alpha-2, any case' })
  @IsOptional()
  @Transform(upperCase)
  @IsString()
  @IsCountryCode({ message: 'doc_country must be an ISO 3166-1 alpha-2 code (e.g. GB)' })
  doc_country?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The provider's raw result, kept in history",
  })
  @IsOptional()
  @IsObject()
  raw_result?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['SANCTIONS'],
    description: "Screening and rejection labels (SumSub's names); also read from raw_result.reject_labels",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  reject_labels?: string[];

  @ApiPropertyOptional({ example: '1990-04-01' })
  @IsOptional()
  @IsCalendarDate({ message: 'birth_date must be a calendar date, yyyy-mm-dd' })
  birth_date?: string;

  @ApiPropertyOptional({ example: '2031-12-31' })
  @IsOptional()
  @IsCalendarDate({ message: 'doc_expiry must be a calendar date, yyyy-mm-dd' })
  doc_expiry?: string;

  @ApiPropertyOptional({
    description:
      "The decision's time, at most 5 minutes ahead of ours; an older one than the latest applied goes to history only",
  })
  @IsOptional()
  @IsTimestamp({ message: 'occurred_at must be an ISO 8601 timestamp, e.g. 2026-03-10T12:00:00Z' })
  @IsNotAheadOfClock()
  occurred_at?: string;

  @ApiPropertyOptional({ description: 'An id unique per customer, for de-duplication; a digest of the body otherwise' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  event_id?: string;
}

export class ApplicantCreated {
  @ApiProperty({ format: 'uuid' }) customer_id!: string;
  @ApiProperty({ example: 'sumsub' }) provider!: string;
  @ApiProperty({ description: "The provider's applicant id" }) provider_id!: string;
  @ApiProperty({ description: 'For the provider WebSDK' }) access_token!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The provider-hosted verification page to send the customer to (Veriff); null where the flow runs in the provider's SDK (SumSub)",
  })
  verification_url!: string | null;
}

export class InternalKycWebhookReply {
  @ApiProperty({ enum: [true] }) received!: true;
  @ApiProperty({ description: 'The same event id was applied already' }) duplicate!: boolean;
  @ApiProperty() customer_id!: string;
  @ApiProperty({ enum: KYC_STATUS_VALUES, nullable: true }) status!: KycStatusValue | null;
}

export const GATE_RESULTS = ['pass', 'fail', 'pending'] as const;
export type GateResult = (typeof GATE_RESULTS)[number];
export const GATE_NAMES = ['identity', 'document', 'country', 'age', 'screening'] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** The API's Gates: a gate with no data yet is pending. */
export class Gates {
  @ApiProperty({ enum: GATE_RESULTS, description: 'KYC approved' }) identity!: GateResult;
  @ApiProperty({ enum: GATE_RESULTS, description: 'An accepted, unexpired document type' }) document!: GateResult;
  @ApiProperty({ enum: GATE_RESULTS, description: 'Document country not restricted' }) country!: GateResult;
  @ApiProperty({ enum: GATE_RESULTS, description: '18 or older where the birth date is known' }) age!: GateResult;
  @ApiProperty({ enum: GATE_RESULTS, description: 'No screening rejection label' }) screening!: GateResult;
  @ApiProperty() all_passed!: boolean;
}

export class KycHistoryEntry {
  @ApiProperty({ enum: KYC_STATUS_VALUES, nullable: true }) status!: KycStatusValue | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'GREEN' }) provider_status!: string | null;
  @ApiProperty({ example: 'applicantReviewed' }) type!: string;
  @ApiProperty({ enum: ['webhook', 'internal', 'reconciliation'] }) source!: 'webhook' | 'internal' | 'reconciliation';

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'applied, stale (older than the latest applied), no_change, unmatched; null while being processed',
  })
  outcome!: string | null;
}

/** The API's KycRecord. */
export class KycRecordView {
  @ApiProperty({ format: 'uuid' }) customer_id!: string;
  @ApiProperty({ example: 'sumsub' }) provider!: string;
  @ApiProperty({ type: String, nullable: true }) provider_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The current applicant's provider-hosted verification page; null where the provider has none",
  })
  verification_url!: string | null;
  @ApiProperty({ enum: KYC_STATUS_VALUES }) status!: KycStatusValue;
  @ApiProperty({ enum: KYC_DOC_TYPE_VALUES, nullable: true }) doc_type!: KycDocTypeValue | null;
  @ApiProperty({ type: String, nullable: true, example: 'DE' }) doc_country!: string | null;
  @ApiProperty({ type: [String] }) reject_labels!: string[];
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: Gates }) gates!: Gates;
  @ApiProperty({ type: [KycHistoryEntry] }) history!: KycHistoryEntry[];
}
