import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

import {
  IsCountryCode,
  IsCurrencyCode,
  PAYMENT_DIRECTIONS,
  POSITIVE_DECIMAL,
  type PaymentDirection,
} from '@app/contracts';

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
const GATEWAY = /^[a-z][a-z0-9_]{0,63}$/;

export class CountryParam {
  @ApiProperty({ example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @Transform(upper)
  @IsString()
  @IsCountryCode()
  country!: string;
}

/**
 * RouteBody, DefaultRouteBody and ResolveQuery document the API; the payments service validates those
 * requests itself (with the rules only it can check), so every invalid field comes back in one 400.
 */
export class DefaultRouteBody {
  @ApiProperty({ example: 'praxis', description: 'a payment provider key' })
  @IsString()
  @Matches(GATEWAY, { message: 'deposit_gateway must be a provider key' })
  deposit_gateway!: string;

  @ApiProperty({ example: 'praxis', description: 'a payment provider key' })
  @IsString()
  @Matches(GATEWAY, { message: 'withdrawal_gateway must be a provider key' })
  withdrawal_gateway!: string;
}

export class RouteBody extends DefaultRouteBody {
  @ApiPropertyOptional({ default: true, description: 'an inactive route falls back to the default pair' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ example: 'local acquirer', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string | null;
}

export class ResolveQuery {
  @ApiProperty({ example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @Transform(upper)
  @IsString()
  @IsCountryCode()
  country!: string;

  @ApiProperty({ enum: PAYMENT_DIRECTIONS })
  @IsIn([...PAYMENT_DIRECTIONS], { message: 'direction must be deposit or withdrawal' })
  direction!: PaymentDirection;

  @ApiPropertyOptional({ example: '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'customer_id may hold letters, digits and . _ : -' })
  customer_id?: string;

  @ApiPropertyOptional({ example: '150.00', description: 'positive decimal in major units' })
  @IsOptional()
  @IsString()
  @Matches(POSITIVE_DECIMAL, { message: 'amount must be a positive decimal number (e.g. 100 or 45.36)' })
  amount?: string;

  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217' })
  @IsOptional()
  @Transform(upper)
  @IsString()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  last_name?: string;
}
