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
import { INTAKE_EVENTS, type IntakeEventName, type LeadEventName } from './affiliates.subjects';

export const AFFILIATE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const DECIMAL = /^\d{1,15}(\.\d{1,8})?$/;

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

  @ApiProperty({ example: 100, description: 'number or decimal string' })
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

  @ApiPropertyOptional({ description: 'required for lead.deposit; above zero' })
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

export class RedeliverRequest extends AffiliateIdRequest {
  /** Any id: one that is not a delivery of this affiliate (UUID-shaped or not) is a 404. */
  @IsString()
  @MaxLength(64)
  delivery_id!: string;
}

export interface AffiliateView {
  affiliate_id: string;
  name: string;
  webhook_url: string;
  /** "****" plus at most the last 4 characters. */
  secret: string;
  is_active: boolean;
  max_batch_size: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  /** Until then the previous secret signs too (rotation overlap). */
  previous_secret_valid_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface ThresholdView {
  country: string;
  min_amount: number;
  currency: string;
  updated_at: string;
}

export interface LeadView {
  affiliate_id: string;
  affiliate_lead_id: string;
  customer_id: string;
  country: string;
  created_at: string;
}

export interface LeadEventAccepted {
  /** queued, suppressed (after the lead's FTD) or ignored (no attribution). */
  outcome: 'queued' | 'suppressed' | 'ignored';
  event?: LeadEventName;
  unconvertible?: boolean;
}

/** Platform-wide intake counters (not per affiliate). */
export interface IntakeStatsView {
  /** Lead events (API or bus) about customers attributed to no affiliate: ignored, and counted here. */
  unattributed_events: number;
  /** Bus events ignored for another reason, by reason (e.g. `non_positive_amount`, `malformed`); absent reasons never happened. */
  ignored_events: Partial<Record<IntakeIgnoredReason, number>>;
}

/** Why intake ignored an event other than a missing attribution. */
export const INTAKE_IGNORED_REASONS = ['non_positive_amount', 'malformed'] as const;
export type IntakeIgnoredReason = (typeof INTAKE_IGNORED_REASONS)[number];

export interface StatsView {
  success_rate: number | null;
  avg_latency_ms: number | null;
  last_failure_reason: string | null;
  last_failure_at: string | null;
  delivered_batches: number;
  failed_attempts: number;
  pending_events: number;
  suppressed_events: number;
  unconvertible_events: number;
  total_attempts: number;
}

export interface AttemptView {
  delivery_id: string;
  attempt: number;
  event: LeadEventName;
  lead_count: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  at: string;
  manual: boolean;
  response_snippet: string | null;
}
