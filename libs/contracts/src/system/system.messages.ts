import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

import { SERVICES, type ServiceName } from '../common/envelope';

export class EchoRequest {
  @ApiProperty({ enum: SERVICES, description: 'Which service answers' })
  @IsIn([...SERVICES])
  service!: ServiceName;

  @ApiProperty({ minLength: 1, maxLength: 4096 })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  message!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 60000, description: 'Artificial delay on the service side (ms)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60000)
  delay_ms?: number;
}

export class EchoReply {
  @ApiProperty() message!: string;
  @ApiProperty({ enum: SERVICES }) service!: ServiceName;
  @ApiProperty({ description: 'Which replica answered: proves queue-group sharing' }) instance_id!: string;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
}

export class NoopRequest {
  @ApiProperty({ minLength: 1, maxLength: 4096 })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  message!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;
}

export class NoopReply {
  @ApiProperty() message!: string;
  @ApiProperty() count!: number;
}

export class LiveReply {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

export class HealthCheck {
  @ApiProperty({ enum: ['ok', 'fail'] }) status!: 'ok' | 'fail';
  @ApiPropertyOptional({ description: 'Why it failed' }) detail?: string;
}

/** A process's dependencies (`nats`, `postgres`, or the gateway's services), each ok or fail. */
@ApiExtraModels(HealthCheck)
export class HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(HealthCheck) } })
  checks!: Record<string, HealthCheck>;
}

export class HealthReply extends HealthReport {
  @ApiProperty({ enum: SERVICES }) service!: ServiceName;
  @ApiProperty() instance_id!: string;
}
