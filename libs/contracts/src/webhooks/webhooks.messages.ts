// WIRE PROTOCOL: inbound provider webhooks, forwarded by the gateway to the owning service.
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const WEBHOOK_SERVICES = ['payments', 'kyc', 'comms'] as const;
export type WebhookService = (typeof WEBHOOK_SERVICES)[number];

/** `<service>.webhooks.receive`: the service verifies, records (de-duplicated) and answers. */
export const webhookSubject = (service: WebhookService) => `${service}.webhooks.receive` as const;

/** The raw request as the provider sent it: bytes untouched, so signatures over the body verify. */
export class InboundWebhook {
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/)
  provider!: string;

  @IsIn(['GET', 'POST', 'PUT'])
  method!: string;

  /** PUBLIC_BASE_URL + the path and query the provider called (Twilio signs this). */
  @IsString()
  @MaxLength(8192)
  url!: string;

  /** Header names lower-cased; repeated headers joined with ", ". */
  @IsObject()
  headers!: Record<string, string>;

  /** The exact body bytes, base64. */
  @IsString()
  body_base64!: string;

  @IsOptional()
  @IsString()
  received_at?: string;
}

/** How the gateway answers the provider: some providers need a signed or shaped reply (Praxis, Zadarma). */
export interface WebhookReply {
  status: number;
  content_type?: string;
  body?: string;
  headers?: Record<string, string>;
}
