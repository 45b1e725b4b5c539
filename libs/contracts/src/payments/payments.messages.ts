import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

import { IsCountryCode, IsCurrencyCode, POSITIVE_DECIMAL } from '../iso';

export const PAYMENT_DIRECTIONS = ['deposit', 'withdrawal'] as const;
export type PaymentDirection = (typeof PAYMENT_DIRECTIONS)[number];
export const PAYMENT_STATUSES = ['pending', 'approved', 'declined', 'failed', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
const GATEWAY = /^[a-z][a-z0-9_]{0,63}$/;

/** A country path segment or query value: ISO 3166-1 alpha-2 in any case, kept upper case. */
export class CountryRequest {
  @ApiProperty({ example: 'BR', description: 'ISO 3166-1 alpha-2, any case' })
  @Transform(upper)
  @IsString()
  @IsCountryCode()
  country!: string;
}

export class SetDefaultRouteRequest {
  @ApiProperty({ example: 'praxis', description: 'a payment provider key' })
  @IsString()
  @Matches(GATEWAY, { message: 'deposit_gateway must be a provider key' })
  deposit_gateway!: string;

  @ApiProperty({ example: 'praxis', description: 'a payment provider key' })
  @IsString()
  @Matches(GATEWAY, { message: 'withdrawal_gateway must be a provider key' })
  withdrawal_gateway!: string;
}

export class PutRouteRequest extends IntersectionType(CountryRequest, SetDefaultRouteRequest) {
  @ApiPropertyOptional({ default: true, description: 'an inactive route falls back to the default pair' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ type: String, example: 'local acquirer', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string | null;
}

export class ResolveGatewayRequest extends CountryRequest {
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

/** The API's Route. */
export class RouteView {
  @ApiProperty({ example: 'BR' }) country!: string;
  @ApiProperty({ example: 'bridgerpay' }) deposit_gateway!: string;
  @ApiProperty({ example: 'praxis' }) withdrawal_gateway!: string;
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'local acquirer' }) note!: string | null;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class DefaultRouteView {
  @ApiProperty({ type: String, nullable: true, example: 'praxis' }) deposit_gateway!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'praxis' }) withdrawal_gateway!: string | null;
}

export class RoutingListView {
  @ApiProperty({ type: [RouteView] }) routes!: RouteView[];
  @ApiProperty({ type: DefaultRouteView }) default!: DefaultRouteView;
}

/** The API's Resolution: which gateway serves, how it was chosen, and what the CRM renders. */
export class ResolutionView {
  @ApiProperty({ example: 'bridgerpay' }) gateway!: string;
  @ApiProperty({ enum: ['embed', 'redirect'] }) type!: 'embed' | 'redirect';
  @ApiProperty({ enum: ['country', 'default'], description: 'How the first gateway was chosen' })
  source!: 'country' | 'default';
  @ApiProperty({ example: 'BR' }) country!: string;
  @ApiProperty({ enum: PAYMENT_DIRECTIONS }) direction!: PaymentDirection;
  @ApiProperty() order_id!: string;
  @ApiPropertyOptional({ description: 'The gateway that failed before this one served' }) failover_from?: string;
  @ApiPropertyOptional({ example: 'https://embed.bridgerpay.com/connector.min.js' }) script_url?: string;
  @ApiPropertyOptional({ description: 'embed only' }) cashier_key?: string;
  @ApiPropertyOptional({ description: 'embed only, where the gateway issues one' }) cashier_token?: string;
  @ApiPropertyOptional({ description: 'redirect only' }) redirect_url?: string;
}
