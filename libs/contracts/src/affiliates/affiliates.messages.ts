import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

import { IsTimestamp } from '../common/dates';
import { IsCountryCode, isCountryCode, IsCurrencyCode } from '../iso';
import { INTAKE_EVENTS, LEAD_EVENTS, type IntakeEventName, type LeadEventName } from './affiliates.subjects';

export const AFFILIATE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const DECIMAL = /^\d{1,15}(\.\d{1,8})?$/;
/** A JSON number or a decimal string ("150.00"). */
const DECIMAL_AMOUNT_SCHEMA = {
  oneOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: DECIMAL.source },
  ],
  description: 'number or decimal string',
};

/** A non-negative decimal amount given as a JSON number or a decimal string ("150.00"). */
export function IsDecimalAmount(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalAmount',
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e15) ||
          (typeof v === 'string' && DECIMAL.test(v)),
        defaultMessage: () => '$property must be a non-negative decimal number (e.g. 150 or "150.00")',
      },
    },
    options,
  );
}

/** A decimal amount above zero (a deposit of 0 is no deposit, and must never become a lead's FTD). */
export function IsPositiveDecimalAmount(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPositiveDecimalAmount',
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1e15) ||
          (typeof v === 'string' && DECIMAL.test(v) && Number(v) > 0),
        defaultMessage: () => '$property must be a decimal number above zero (e.g. 150 or "150.00")',
      },
    },
    options,
  );
}

/** An FTD threshold's country: ISO 3166-1 alpha-2 in any case, or `default`. */
function IsThresholdCountry(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isThresholdCountry',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' && (v.toLowerCase() === 'default' || isCountryCode(v.toUpperCase())),
        defaultMessage: () => '$property must be an ISO 3166-1 alpha-2 code or "default"',
      },
    },
    options,
  );
}

export class AffiliateIdRequest {
  @IsString()
  @Matches(AFFILIATE_ID, {
    message: 'affiliate_id must be 1-64 letters, digits, _, . or - (starting with a letter or digit)',
  })
  affiliate_id!: string;
}

/** PUT: creates the affiliate (name, webhook_url and secret required) or changes the given fields. */
export class UpsertAffiliateRequest extends AffiliateIdRequest {
  @ApiPropertyOptional({ description: 'Required when creating' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    description: 'https URL resolving to public addresses (required when creating)',
    example: 'https://partner.example/webhooks',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  webhook_url?: string;

  @ApiPropertyOptional({
    description:
      'HMAC key (its UTF-8 bytes); never returned. Changing it starts a rotation overlap during which both sign.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  /** A JSON number: a string is refused, not converted. */
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_batch_size?: number;
}

export class SetThresholdRequest {
  /** ISO 3166-1 alpha-2 in any case, or `default`. */
  @IsString()
  @IsThresholdCountry()
  country!: string;

  @ApiProperty({ ...DECIMAL_AMOUNT_SCHEMA, example: 100 })
  @IsDecimalAmount()
  min_amount!: number | string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217' })
  @IsString()
  @IsCurrencyCode()
  currency!: string;
}

export class CreateLeadRequest {
  @ApiProperty()
  @IsString()
  @Matches(AFFILIATE_ID, { message: 'affiliate_id must be 1-64 letters, digits, _, . or -' })
  affiliate_id!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  affiliate_lead_id!: string;

  @ApiProperty()
  @IsString()
  @Matches(CUSTOMER_ID, { message: 'customer_id must be 1-128 letters, digits or _.:@-' })
  customer_id!: string;

  @ApiProperty({ example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @IsString()
  @IsCountryCode()
  country!: string;
}

/** amount and currency are required for lead.deposit (checked by the service, which names the field). */
export class LeadEventRequest {
  @ApiProperty()
  @IsString()
  @Matches(CUSTOMER_ID, { message: 'customer_id must be 1-128 letters, digits or _.:@-' })
  customer_id!: string;

  @ApiProperty({ enum: INTAKE_EVENTS })
  @IsIn([...INTAKE_EVENTS])
  event!: IntakeEventName;

  @ApiPropertyOptional({
    ...DECIMAL_AMOUNT_SCHEMA,
    example: '150.00',
    description: 'required for lead.deposit; above zero',
  })
  @IsOptional()
  @IsPositiveDecimalAmount()
  amount?: number | string;

  @ApiPropertyOptional({ description: 'required for lead.deposit; ISO 4217' })
  @IsOptional()
  @IsString()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; now when omitted' })
  @IsOptional()
  @IsTimestamp()
  occurred_at?: string;
}

export class ListDeliveriesRequest extends AffiliateIdRequest {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export const AFFILIATE_PAGE_MAX = 500;

/** One page of affiliates in affiliate id order, strictly after `after_id` when given. */
export class ListAffiliatesRequest {
  /** A number on the wire; a query string's text is converted. */
  @ApiProperty({ default: 50, minimum: 1, maximum: AFFILIATE_PAGE_MAX })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AFFILIATE_PAGE_MAX)
  limit!: number;

  @IsOptional()
  @IsString()
  @Matches(AFFILIATE_ID, { message: 'after_id must be an affiliate id' })
  after_id?: string;
}

export class RedeliverRequest extends AffiliateIdRequest {
  /** Any id: one that is not a delivery of this affiliate (UUID-shaped or not) is a 404. */
  @IsString()
  @MaxLength(64)
  delivery_id!: string;
}

const TIMESTAMP_OR_NULL = { type: String, format: 'date-time', nullable: true } as const;

export class AffiliateView {
  @ApiProperty({ example: 'aff-1' }) affiliate_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uri' }) webhook_url!: string;
  @ApiProperty({ example: '****cret', description: '"****" plus at most the last 4 characters' }) secret!: string;
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ example: 100 }) max_batch_size!: number;
  @ApiProperty({ type: String, nullable: true }) disabled_reason!: string | null;
  @ApiProperty(TIMESTAMP_OR_NULL) disabled_at!: string | null;
  @ApiProperty({ ...TIMESTAMP_OR_NULL, description: 'Until then the previous secret signs too (rotation overlap)' })
  previous_secret_valid_until!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class AffiliateListView {
  @ApiProperty({ type: [AffiliateView], description: 'In affiliate id order; secrets masked' })
  affiliates!: AffiliateView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor!: string | null;
}

/** The service's answer to a list request: the gateway turns `next_after_id` into the API's `next_cursor`. */
export interface AffiliatePageReply {
  affiliates: AffiliateView[];
  /** The last id of this page when more follow; null on the last page. */
  next_after_id: string | null;
}

export class ThresholdView {
  @ApiProperty({ example: 'BR', description: 'ISO 3166-1 alpha-2 or `default`' }) country!: string;
  @ApiProperty({ example: 100 }) min_amount!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ThresholdListView {
  @ApiProperty({ type: [ThresholdView] }) thresholds!: ThresholdView[];
}

export class LeadView {
  @ApiProperty() affiliate_id!: string;
  @ApiProperty() affiliate_lead_id!: string;
  @ApiProperty() customer_id!: string;
  @ApiProperty({ example: 'BR' }) country!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class LeadEventAccepted {
  @ApiProperty({
    enum: ['queued', 'suppressed', 'ignored'],
    description: "queued, suppressed (after the lead's FTD) or ignored (no attribution)",
  })
  outcome!: 'queued' | 'suppressed' | 'ignored';
  @ApiPropertyOptional({ enum: LEAD_EVENTS, description: 'The event queued (a deposit may become lead.ftd)' })
  event?: LeadEventName;
  @ApiPropertyOptional() unconvertible?: boolean;
}

/** Why intake ignored an event other than a missing attribution. */
export const INTAKE_IGNORED_REASONS = ['non_positive_amount', 'malformed'] as const;
export type IntakeIgnoredReason = (typeof INTAKE_IGNORED_REASONS)[number];

/** Platform-wide intake counters (not per affiliate). */
export class IntakeStatsView {
  @ApiProperty({ description: 'Lead events about customers attributed to no affiliate: ignored, and counted here' })
  unattributed_events!: number;

  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(INTAKE_IGNORED_REASONS.map((r) => [r, { type: 'integer' }])),
    additionalProperties: false,
    description: 'Bus events ignored for another reason, by reason; absent reasons never happened',
  })
  ignored_events!: Partial<Record<IntakeIgnoredReason, number>>;
}

const NUMBER_OR_NULL = { type: Number, nullable: true } as const;

/** The API's Stats. */
export class StatsView {
  @ApiProperty({ ...NUMBER_OR_NULL, minimum: 0, maximum: 1, description: 'null before any attempt' })
  success_rate!: number | null;
  @ApiProperty(NUMBER_OR_NULL) avg_latency_ms!: number | null;
  @ApiProperty({ type: String, nullable: true }) last_failure_reason!: string | null;
  @ApiProperty(TIMESTAMP_OR_NULL) last_failure_at!: string | null;
  @ApiProperty() delivered_batches!: number;
  @ApiProperty() failed_attempts!: number;
  @ApiProperty() pending_events!: number;
  @ApiProperty() suppressed_events!: number;
  @ApiProperty() unconvertible_events!: number;
  @ApiProperty() total_attempts!: number;
}

/** The API's Attempt. */
export class AttemptView {
  @ApiProperty({ format: 'uuid' }) delivery_id!: string;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ enum: LEAD_EVENTS }) event!: LeadEventName;
  @ApiProperty() lead_count!: number;
  @ApiProperty({ ...NUMBER_OR_NULL, description: 'null without an answer (timeout, network error)' })
  status_code!: number | null;
  @ApiProperty() latency_ms!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'A redelivery asked for through the API' }) manual!: boolean;
  @ApiProperty({ type: String, nullable: true }) response_snippet!: string | null;
}

export class DeliveryListView {
  @ApiProperty({ type: [AttemptView] }) deliveries!: AttemptView[];
}

export class RedeliveryQueued {
  @ApiProperty({ format: 'uuid' }) delivery_id!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}
