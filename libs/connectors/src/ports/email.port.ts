import type { ConnectorConfig } from '../types';
import type { ParseCallback, SendOptions, SendResult } from './delivery.port';

export * from './delivery.port';

export interface OutboundEmail {
  /** Our message id: sent along (custom_args, a header) so callbacks can be matched to it. */
  messageId: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  fromEmail?: string;
  fromName?: string;
}

/** Email providers: send one message; read delivery callbacks where the provider has them. */
export interface EmailPort {
  send(config: ConnectorConfig, email: OutboundEmail, opts: SendOptions): Promise<SendResult>;
  /** Absent when the provider posts no delivery callbacks (Gmail). */
  parseCallback?: ParseCallback;
}
