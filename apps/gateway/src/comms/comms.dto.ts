import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

import {
  COMMS_CHANNELS,
  COMMS_STATUSES,
  E164,
  EMAIL_OPTIONS,
  MAX_SMS_CHARS,
  NO_CONTROL_CHARS,
  noControlChars,
  PROVIDER_KEY,
} from '@app/contracts';

const E164_MESSAGE = 'must be an E.164 phone number (+ and 2 to 15 digits, e.g. +442037691881)';
const EMAIL_MESSAGE = 'must be a valid email address (RFC 5322 addr-spec, e.g. lead@example.com)';

class SendCommonBody {
  @ApiPropertyOptional({
    description: 'The CRM customer this message belongs to',
    example: '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  customer_id?: string;

  @ApiPropertyOptional({ example: 'welcome' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'event_type may hold letters, digits and _ . : - only' })
  event_type?: string;

  @ApiPropertyOptional({
    description: 'An active provider of the category; the category default otherwise',
    example: 'sendgrid',
  })
  @IsOptional()
  @IsString()
  @Matches(PROVIDER_KEY, { message: 'provider must be a provider key such as sendgrid' })
  provider?: string;
}

export class SendEmailBody extends SendCommonBody {
  @ApiProperty({ example: 'lead@example.com' })
  @IsEmail(EMAIL_OPTIONS, { message: `to ${EMAIL_MESSAGE}` })
  @Matches(NO_CONTROL_CHARS, noControlChars('to'))
  to!: string;

  @ApiProperty({ example: 'Welcome to trading', maxLength: 998 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(998)
  @Matches(NO_CONTROL_CHARS, noControlChars('subject'))
  subject!: string;

  @ApiPropertyOptional({
    description: 'HTML body (body_html or body_text is required); size limited by COMMS_MAX_HTML_BYTES (413)',
    example: '<p>Hello John</p>',
  })
  @ValidateIf((o: SendEmailBody) => o.body_html !== undefined || o.body_text === undefined)
  @Length(1, undefined, { message: 'body_html must be a non-empty string (body_html or body_text is required)' })
  body_html?: string;

  @ApiPropertyOptional({ description: 'Plain-text body' })
  @IsOptional()
  @IsString()
  body_text?: string;

  @ApiPropertyOptional({ example: 'support@broker.example' })
  @IsOptional()
  @IsEmail(EMAIL_OPTIONS, { message: `from_email ${EMAIL_MESSAGE}` })
  @Matches(NO_CONTROL_CHARS, noControlChars('from_email'))
  from_email?: string;

  @ApiPropertyOptional({ example: 'Broker Support' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(NO_CONTROL_CHARS, noControlChars('from_name'))
  from_name?: string;
}

export class SendSmsBody extends SendCommonBody {
  @ApiProperty({ example: '+442037691881' })
  @IsString()
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to!: string;

  @ApiProperty({ maxLength: MAX_SMS_CHARS, example: 'Your verification code is 123456' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_SMS_CHARS)
  body!: string;
}

export class CreateCallBody extends SendCommonBody {
  @ApiProperty({ description: 'The lead', example: '+442037691881' })
  @IsString()
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to!: string;

  @ApiProperty({
    description: 'Agent extension, SIP id, agent e-mail or number, as the provider knows the agent',
    example: '100',
  })
  @IsString()
  @MaxLength(128)
  @Matches(/^\S+$/, { message: 'agent must be a non-empty extension, SIP id, e-mail or number without spaces' })
  agent!: string;
}

export class ListMessagesQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  customer_id?: string;

  @ApiPropertyOptional({ enum: COMMS_STATUSES })
  @IsOptional()
  @IsIn(COMMS_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: COMMS_CHANNELS })
  @IsOptional()
  @IsIn([...COMMS_CHANNELS])
  channel?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
