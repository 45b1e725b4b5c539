// WIRE PROTOCOL: requests, replies and events of the comms service.
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

export const COMMS_CHANNELS = ['email', 'sms', 'call'] as const;
export type CommsChannel = (typeof COMMS_CHANNELS)[number];

export const MESSAGE_STATUSES = [
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'failed',
  'undelivered',
  'spam',
  'unsubscribed',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const CALL_STATUSES = [
  'initiated',
  'ringing',
  'answered',
  'completed',
  'busy',
  'no_answer',
  'failed',
  'canceled',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export type CommsStatus = MessageStatus | CallStatus;
export const COMMS_STATUSES = [...new Set<string>([...MESSAGE_STATUSES, ...CALL_STATUSES])] as CommsStatus[];

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/**
 * Anything that ends up in a mail header (addresses, sender name, subject) must hold no C0 control
 * character nor DEL: CR and LF would inject headers or start the body, NUL and the rest are refused by
 * mail servers or read differently by each of them.
 */
export const NO_CONTROL_CHARS = /^[^\x00-\x1f\x7f]*$/;
export const noControlChars = (field: string) => ({
  message: `${field} must not contain control characters (CR, LF, NUL, tab, other C0 or DEL)`,
});
export const PROVIDER_KEY = /^[a-z][a-z0-9_]{0,63}$/;
/** Twilio's concatenated-SMS limit. */
export const MAX_SMS_CHARS = 1600;
/** RFC 5322 addr-spec without a display name, with a dotted domain; validator.js also caps the local part at 64. */
export const EMAIL_OPTIONS = {
  allow_display_name: false,
  require_tld: true,
  allow_ip_domain: false,
  allow_utf8_local_part: false,
} as const;

const E164_MESSAGE = 'must be an E.164 phone number (+ and 2 to 15 digits, e.g. +442037691881)';
const EMAIL_MESSAGE = 'must be a valid email address (RFC 5322 addr-spec, e.g. lead@example.com)';

/** What every send carries besides its content. */
class SendCommon {
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

  /** The Idempotency-Key header, passed on by the gateway. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  @Matches(/^[\x21-\x7e]+$/, { message: 'idempotency_key must be 1 to 255 visible ASCII characters' })
  idempotency_key?: string;
}

export class SendEmailRequest extends SendCommon {
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
  @ValidateIf((o: SendEmailRequest) => o.body_html !== undefined || o.body_text === undefined)
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

export class SendSmsRequest extends SendCommon {
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

export class CreateCallRequest extends SendCommon {
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

export class MessageIdRequest {
  @IsString()
  @MaxLength(64)
  id!: string;
}

export class ListMessagesRequest {
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

  /** A number on the wire; a query string's text is converted. */
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class SendReply {
  @ApiProperty({ format: 'uuid' }) message_id!: string;
  @ApiProperty({ enum: COMMS_STATUSES, example: 'sent' }) status!: CommsStatus;
  @ApiProperty({ example: 'sendgrid' }) provider!: string;
  @ApiPropertyOptional({ description: 'Set when the first provider failed (retryable) and this one served' })
  failover_from?: string;
}

export class CallReply {
  @ApiProperty({ format: 'uuid', description: 'Also a message id: GET .../messages/{id}' }) call_id!: string;
  @ApiProperty({ enum: COMMS_STATUSES, example: 'initiated' }) status!: CommsStatus;
  @ApiProperty({ example: 'zadarma' }) provider!: string;
  @ApiPropertyOptional() failover_from?: string;
}

export class MessageEventView {
  @ApiProperty({ enum: COMMS_STATUSES, nullable: true }) status!: CommsStatus | null;
  @ApiProperty({ example: 'delivered' }) provider_status!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'False when the event arrived out of order (or changes nothing): history only' })
  applied!: boolean;
}

export class MessageAttemptView {
  @ApiProperty() provider!: string;
  @ApiProperty({ enum: ['sent', 'failed', 'refused'] }) outcome!: 'sent' | 'failed' | 'refused';
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** One part of a message the provider split (a long SMS at Vonage): its own provider id and status. */
export class MessagePartView {
  @ApiProperty({ description: 'Position in the message, from 0' }) part!: number;
  @ApiProperty() provider_message_id!: string;
  @ApiProperty({ enum: COMMS_STATUSES }) status!: CommsStatus;
  @ApiProperty({ type: String, nullable: true }) provider_status!: string | null;
}

/** The API's Message (a call is one with channel `call`). */
export class MessageView {
  @ApiProperty({ format: 'uuid' }) message_id!: string;
  @ApiProperty({ enum: COMMS_CHANNELS }) channel!: CommsChannel;
  @ApiProperty() provider!: string;
  @ApiProperty({ type: String, nullable: true }) provider_message_id!: string | null;
  @ApiProperty({ enum: COMMS_STATUSES }) status!: CommsStatus;
  @ApiProperty({ example: 'lead@example.com' }) to!: string;
  @ApiProperty({ type: String, nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) event_type!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: [MessageEventView] }) events!: MessageEventView[];
  @ApiProperty({ type: [MessageAttemptView] }) attempts!: MessageAttemptView[];
  @ApiProperty({
    type: [MessagePartView],
    description:
      'The parts, when the provider answered several ids for one send; the status is derived from all of them (empty otherwise)',
  })
  parts!: MessagePartView[];
}

export class MessageListView {
  @ApiProperty({ type: [MessageView] }) messages!: MessageView[];
}
