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
} from 'class-validator';

import {
  IsCalendarDate,
  IsCountryCode,
  IsNotAheadOfClock,
  IsTimestamp,
  KYC_DOC_TYPE_VALUES,
  KYC_STATUS_VALUES,
  type KycDocTypeValue,
  type KycStatusValue,
} from '@app/contracts';

/** ISO codes are accepted in any case and kept upper case. */
const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

const PROVIDER_KEY = /^[a-z][a-z0-9_]{0,63}$/;

export class CreateApplicantBody {
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
}

export class CustomerParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'customer_id must be a UUID' })
  customer_id!: string;
}

export class InternalKycWebhookBody {
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

  @ApiPropertyOptional({ type: [String], example: ['SANCTIONS'], description: 'Rejection / screening labels' })
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
