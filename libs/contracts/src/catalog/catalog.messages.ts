import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export const PROVIDER_CATEGORIES = ['voip', 'email', 'sms', 'payment', 'kyc'] as const;
export type ProviderCategory = (typeof PROVIDER_CATEGORIES)[number];

/** Any string: a key the catalog does not know is a 404, not a validation error. */
export class ProviderKeyRequest {
  @IsString()
  @MaxLength(512)
  key!: string;
}

export class ListProvidersRequest {
  @ApiPropertyOptional({ enum: PROVIDER_CATEGORIES })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  category?: string;
}

export class ActivateProviderRequest extends ProviderKeyRequest {
  @ApiPropertyOptional({
    description: "Credential fields as the provider's credential_fields name them; merged into the stored ones",
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  @IsOptional()
  @IsObject()
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Connector settings; base_url replaces scheme, host and port of the provider API',
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ description: "Make this provider its category's default" })
  @IsOptional()
  @IsBoolean()
  make_default?: boolean;

  @ApiPropertyOptional({
    description: 'Call the provider with the merged credentials first; a failure answers 422 and stores nothing',
  })
  @IsOptional()
  @IsBoolean()
  verify?: boolean;
}

export class UpdateCredentialsRequest extends ProviderKeyRequest {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsObject()
  credentials!: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  verify?: boolean;
}

export class SetDefaultRequest {
  @IsString()
  @MaxLength(32)
  category!: string;

  @ApiProperty({ example: 'gmail' })
  @IsString()
  @MaxLength(64)
  provider!: string;
}

export class ResolveConfigRequest {
  @IsIn([...PROVIDER_CATEGORIES])
  category!: ProviderCategory;

  /** A named provider (must be active and of the category); the category's default otherwise. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  provider?: string;
}

export interface CredentialFieldView {
  name: string;
  label: string;
  secret: boolean;
  required: boolean;
}

/** The API's Provider. Secret credential values are masked; the plain ones are shown. */
export interface ProviderView {
  key: string;
  name: string;
  category: ProviderCategory;
  status: 'active' | 'inactive';
  is_default: boolean;
  credential_fields: CredentialFieldView[];
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
  activated_at: string | null;
  updated_at: string;
  health: ProviderHealthView;
}

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/**
 * The API's `Provider.health`, merged over every process that calls the provider: `state` is the worst
 * breaker (open, then half_open, then closed), `error_rate` the share of provider-side failures among
 * the calls of the health window (0 without calls), `p95_ms` the highest reported 95th percentile call
 * duration in milliseconds, or null when no process called the provider within the window.
 */
export interface ProviderHealthView {
  state: BreakerState;
  error_rate: number;
  p95_ms: number | null;
}

/** One provider's breaker in one process, as published on providerHealthSubject. */
export interface ProviderHealthSample {
  key: string;
  state: BreakerState;
  /** Calls that reached the provider within the window, and how many of them failed provider-side. */
  calls: number;
  failures: number;
  p95_ms: number | null;
}

/** What one process publishes on providerHealthSubject. */
export interface ProviderHealthReport {
  service: string;
  instance: string;
  providers: ProviderHealthSample[];
}

export interface CategoryView {
  category: ProviderCategory;
  default_provider: string | null;
  active_providers: string[];
}

/** Decrypted configuration, for services only. `version` grows with every change of the provider. */
export interface ProviderConfigView {
  key: string;
  category: ProviderCategory;
  status: 'active' | 'inactive';
  is_default: boolean;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
  version: number;
}
