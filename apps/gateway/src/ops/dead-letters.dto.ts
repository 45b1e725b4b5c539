import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

import { CONSUMER_NAME, DEAD_LETTER_PAGE_MAX } from '@app/contracts';

const CONSUMER_MESSAGE = 'consumer must be a consumer name: 1-100 letters, digits, _ or -';

export class DeadLettersQuery {
  @ApiPropertyOptional({ description: "Only this consumer's dead letters, e.g. `kyc-webhook-processor`" })
  @IsOptional()
  @Matches(CONSUMER_NAME, { message: CONSUMER_MESSAGE })
  consumer?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: DEAD_LETTER_PAGE_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(DEAD_LETTER_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: '`next_cursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class ConsumerQuery {
  @ApiProperty({ description: 'The consumer whose dead letters are meant' })
  @Matches(CONSUMER_NAME, { message: CONSUMER_MESSAGE })
  consumer!: string;
}
