import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNumberString, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

import { SERVICES, type ServiceName } from '../common/envelope';

/** A durable consumer's name: the JetStream durable without the subject prefix. */
export const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,100}$/;
export const DEAD_LETTER_PAGE_MAX = 500;
const CONSUMER_MESSAGE = { message: 'consumer must be a consumer name: 1-100 letters, digits, _ or -' };

/** The API's DeadLetter. */
export class DeadLetterView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'kyc-webhook-processor' }) consumer!: string;
  @ApiProperty({ example: 'evt.kyc.webhook.recorded' }) subject!: string;
  @ApiProperty() message_id!: string;
  @ApiProperty({
    description: 'The event as it was published: any JSON value',
    anyOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
      ...['string', 'number', 'boolean', 'null'].map((type) => ({ type })),
    ],
  })
  payload!: unknown;
  @ApiProperty() error!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ format: 'date-time' }) first_failed_at!: string;
  @ApiProperty({ format: 'date-time' }) parked_at!: string;
}

export class DeadLetterPage {
  @ApiProperty({ type: [DeadLetterView] }) dead_letters!: DeadLetterView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  next_cursor!: string | null;
}

export class DeadLetterId {
  @ApiProperty({ format: 'uuid' }) id!: string;
}

export class ReplayedCount {
  @ApiProperty() replayed!: number;
}

export class DiscardedCount {
  @ApiProperty() discarded!: number;
}

/** One page, in (parked_at, id) order, strictly after `after_*` when given. */
export class ListDeadLettersRequest {
  @ApiPropertyOptional({ description: "Only this consumer's dead letters, e.g. `kyc-webhook-processor`" })
  @IsOptional()
  @Matches(CONSUMER_NAME, CONSUMER_MESSAGE)
  consumer?: string;

  /** A number on the wire; a query string's text is converted. */
  @ApiProperty({ default: 50, minimum: 1, maximum: DEAD_LETTER_PAGE_MAX })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE_MAX)
  limit!: number;

  @IsOptional()
  @IsISO8601({ strict: true })
  after_parked_at?: string;

  @IsOptional()
  @IsUUID()
  after_id?: string;
}

export class DeadLetterIdRequest {
  @IsUUID()
  id!: string;
}

export class ConsumerDeadLettersRequest {
  @ApiProperty({ description: 'The consumer whose dead letters are meant' })
  @Matches(CONSUMER_NAME, CONSUMER_MESSAGE)
  consumer!: string;
}

export const AUDIT_PAGE_MAX = 500;

/** One configuration change: who made it, what it touched and the names of the fields it set, never their values. */
export class AuditEntry {
  @ApiProperty({ description: 'Unique within `service`' }) id!: string;
  @ApiProperty({ enum: SERVICES, description: 'The service that made the change' }) service!: ServiceName;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'Key id of the platform key behind the change', example: 'key_0123456789ab' })
  actor!: string;
  @ApiProperty({ enum: ['read', 'admin'] }) scope!: string;
  @ApiProperty({ example: 'route_put' }) action!: string;
  @ApiProperty({ description: 'What was changed: a provider key, a country, an affiliate id, a dead letter id' })
  target!: string;
  @ApiProperty({ type: [String], description: 'Names of the fields the change set, sorted' }) fields!: string[];
}

export class AuditPage {
  @ApiProperty({ type: [AuditEntry] }) entries!: AuditEntry[];
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Pass as `since` for the next page (entries at that time come again); null on the last',
  })
  next_since!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Pass as `cursor` for the next page (each entry comes once, also when many share one time); null on the last',
  })
  next_cursor!: string | null;
}

/** The oldest `limit` changes at or after `since`, in (at, id) order. */
export class ListAuditRequest {
  @ApiPropertyOptional({ format: 'date-time', description: 'Changes at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  /** A number on the wire; a query string's text is converted. */
  @ApiProperty({ default: 50, minimum: 1, maximum: AUDIT_PAGE_MAX })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit!: number;

  /** With `since` and `after_id`: only changes after this position in (at, service, id) order. */
  @IsOptional()
  @IsIn(SERVICES)
  after_service?: ServiceName;

  @IsOptional()
  @IsNumberString({ no_symbols: true })
  after_id?: string;
}
