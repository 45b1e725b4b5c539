import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

export class ActivateBody {
  @ApiPropertyOptional({ description: 'Credential fields as the provider\'s credential_fields name them; merged into the stored ones', type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional() @IsObject()
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Connector settings; base_url replaces scheme, host and port of the provider API', type: 'object', additionalProperties: true })
  @IsOptional() @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Make this provider its category\'s default' })
  @IsOptional() @IsBoolean()
  make_default?: boolean;

  @ApiPropertyOptional({ description: 'Call the provider with the merged credentials first; a failure answers 422 and stores nothing' })
  @IsOptional() @IsBoolean()
  verify?: boolean;
}

export class CredentialsBody {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @IsObject()
  credentials!: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional() @IsBoolean()
  verify?: boolean;
}

export class SetDefaultBody {
  @ApiProperty({ example: 'gmail' })
  @IsString() @MaxLength(64)
  provider!: string;
}

export class CategoryQuery {
  @ApiPropertyOptional({ enum: ['voip', 'email', 'sms', 'payment', 'kyc'] })
  @IsOptional() @IsString() @MaxLength(32)
  category?: string;
}
