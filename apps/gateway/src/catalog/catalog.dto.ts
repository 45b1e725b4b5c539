import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export class ActivateBody {
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

export class CredentialsBody {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsObject()
  credentials!: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  verify?: boolean;
}

export class SetDefaultBody {
  @ApiProperty({ example: 'gmail' })
  @IsString()
  @MaxLength(64)
  provider!: string;
}

export class CategoryQuery {
  @ApiPropertyOptional({ enum: ['voip', 'email', 'sms', 'payment', 'kyc'] })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  category?: string;
}

/** Provider.health (docs/provider-breakers.md): the circuit breakers of the services that call the provider. */
export class ProviderHealthDto {
  @ApiProperty({
    enum: ['closed', 'open', 'half_open'],
    description:
      'The worst breaker over the processes calling the provider: open (calls fail over at once), half_open (one probe in flight) or closed',
  })
  state!: 'closed' | 'open' | 'half_open';

  @ApiProperty({
    minimum: 0,
    maximum: 1,
    example: 0,
    description:
      'Provider-side failures (timeout, 5xx, network, 429) among the calls of the health window (CONNECTOR_HEALTH_WINDOW_MS); 0 without calls',
  })
  error_rate!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description:
      '95th percentile call duration in ms over the window (highest reporting process); null when the provider was not called in it',
  })
  p95_ms!: number | null;
}

export class CredentialFieldDto {
  @ApiProperty() name!: string;
  @ApiProperty() label!: string;
  @ApiProperty() secret!: boolean;
  @ApiProperty() required!: boolean;
}

/** API.md's Provider (secret credential values masked). */
export class ProviderDto {
  @ApiProperty({ example: 'sendgrid' }) key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['voip', 'email', 'sms', 'payment', 'kyc'] }) category!: string;
  @ApiProperty({ enum: ['active', 'inactive'] }) status!: string;
  @ApiProperty() is_default!: boolean;
  @ApiProperty({ type: [CredentialFieldDto] }) credential_fields!: CredentialFieldDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) credentials!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) activated_at!: string | null;
  @ApiProperty() updated_at!: string;
  @ApiProperty({ type: ProviderHealthDto }) health!: ProviderHealthDto;
}

export class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] }) providers!: ProviderDto[];
}
