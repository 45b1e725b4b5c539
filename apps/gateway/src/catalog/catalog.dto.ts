import { ApiProperty } from '@nestjs/swagger';

import { BREAKER_STATES, PROVIDER_CATEGORIES } from '@app/contracts';

/** Provider.health (docs/provider-breakers.md): the circuit breakers of the services that call the provider. */
export class ProviderHealthDto {
  @ApiProperty({
    enum: BREAKER_STATES,
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

/** The API's Provider (secret credential values masked). */
export class ProviderDto {
  @ApiProperty({ example: 'sendgrid' }) key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROVIDER_CATEGORIES }) category!: string;
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
