import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

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
