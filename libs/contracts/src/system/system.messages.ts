import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

import { SERVICES, type ServiceName } from '../common/envelope';

export class EchoRequest {
  /** Which service answers. */
  @IsIn([...SERVICES])
  service!: ServiceName;

  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  message!: string;

  /** Optional artificial delay on the service side, for timeout drills (ms). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60000)
  delay_ms?: number;
}

export interface EchoReply {
  message: string;
  service: ServiceName;
  /** Which replica answered: proves queue-group sharing. */
  instance_id: string;
  request_id: string | null;
}

export class NoopRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  message!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;
}

export interface HealthReply {
  service: ServiceName;
  instance_id: string;
  status: 'ok' | 'degraded';
  checks: Record<string, { status: 'ok' | 'fail'; detail?: string }>;
}
