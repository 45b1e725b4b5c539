import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

import {
  AFFILIATE_ID,
  CUSTOMER_ID,
  INTAKE_EVENTS,
  IsCountryCode,
  IsCurrencyCode,
  IsDecimalAmount,
  IsPositiveDecimalAmount,
  IsTimestamp,
  type IntakeEventName,
} from '@app/contracts';

export class UpsertAffiliateBody {
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

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  max_batch_size?: number;
}

export class ThresholdBody {
  @ApiProperty({ example: 100, description: 'number or decimal string' })
  @IsDecimalAmount()
  min_amount!: number | string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217' })
  @IsString()
  @IsCurrencyCode()
  currency!: string;
}

export class LeadBody {
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

export class LeadEventBody {
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

export class DeliveriesQuery {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
