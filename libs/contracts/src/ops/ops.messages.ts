import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

/** A durable consumer's name: the JetStream durable without the subject prefix. */
export const CONSUMER_NAME = /^[A-Za-z0-9_-]{1,100}$/;
export const DEAD_LETTER_PAGE_MAX = 500;

export interface DeadLetterView {
  id: string;
  consumer: string;
  subject: string;
  message_id: string;
  payload: unknown;
  error: string;
  attempts: number;
  first_failed_at: string;
  parked_at: string;
}

/** One page, in (parked_at, id) order, strictly after `after_*` when given. */
export class ListDeadLettersRequest {
  @IsOptional()
  @Matches(CONSUMER_NAME, { message: 'consumer must be 1-100 letters, digits, _ or -' })
  consumer?: string;

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
  @Matches(CONSUMER_NAME, { message: 'consumer must be 1-100 letters, digits, _ or -' })
  consumer!: string;
}
