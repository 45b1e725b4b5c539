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

export class CredentialFieldView {
  @ApiProperty({ example: 'api_key' }) name!: string;
  @ApiProperty({ example: 'API key' }) label!: string;
  @ApiProperty({ description: 'A secret value is returned masked' }) secret!: boolean;
  @ApiProperty() required!: boolean;
}

/**
 * A connector setting the activation form offers: `base_url` (every connector's, always first), then
 * the ones the provider's manifest declares. Settings are plain values, never secret.
 */
export class SettingFieldView {
  @ApiProperty({ example: 'base_url' }) name!: string;
  @ApiProperty({ example: 'Base URL' }) label!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'What applies when the setting is not stored; null: the connector decides (base_url: the provider)',
  })
  default!: string | null;
}

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/**
 * The API's `Provider.health`, merged over every process that calls the provider: `state` is the worst
 * breaker (open, then half_open, then closed), `error_rate` the share of provider-side failures among
 * the calls of the health window (0 without calls), `p95_ms` the highest reported 95th percentile call
 * duration in milliseconds, or null when no process called the provider within the window.
 */
export class ProviderHealthView {
  @ApiProperty({ enum: BREAKER_STATES, description: 'open: calls fail over at once; half_open: one probe in flight' })
  state!: BreakerState;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0, description: "Provider-side failures among the window's calls" })
  error_rate!: number;

  @ApiProperty({ type: Number, nullable: true, example: null, description: 'null when not called in the window' })
  p95_ms!: number | null;
}

/** The API's Provider. Secret credential values are masked; the plain ones are shown. */
export class ProviderView {
  @ApiProperty({ example: 'sendgrid' }) key!: string;
  @ApiProperty({ example: 'SendGrid' }) name!: string;
  @ApiProperty({ enum: PROVIDER_CATEGORIES }) category!: ProviderCategory;
  @ApiProperty({ enum: ['active', 'inactive'] }) status!: 'active' | 'inactive';
  @ApiProperty() is_default!: boolean;
  @ApiProperty({ type: [CredentialFieldView] }) credential_fields!: CredentialFieldView[];

  @ApiProperty({
    type: [SettingFieldView],
    description: "The settings the activation form offers: base_url first, then the manifest's own",
  })
  setting_fields!: SettingFieldView[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { api_key: '****wxyz' },
    description: 'Secret values read `****` plus at most the last 4 characters',
  })
  credentials!: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) activated_at!: string | null;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: ProviderHealthView }) health!: ProviderHealthView;
}

export class ProviderListView {
  @ApiProperty({ type: [ProviderView] }) providers!: ProviderView[];
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

export class CategoryView {
  @ApiProperty({ enum: PROVIDER_CATEGORIES }) category!: ProviderCategory;
  @ApiProperty({ type: String, nullable: true, example: 'sendgrid' }) default_provider!: string | null;
  @ApiProperty({ type: [String], example: ['sendgrid', 'gmail'] }) active_providers!: string[];
}

export class CategoryListView {
  @ApiProperty({ type: [CategoryView] }) categories!: CategoryView[];
}

export class ProviderTestView {
  @ApiProperty({ enum: [true] }) ok!: true;
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
