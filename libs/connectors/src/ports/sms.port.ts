import type { ConnectorConfig } from '../types';
import type { ParseCallback, SendOptions, SendResult } from './delivery.port';

export interface OutboundSms {
  messageId: string;
  /** E.164. */
  to: string;
  body: string;
}

/** SMS providers: send one message; read its status callbacks. */
export interface SmsPort {
  send(config: ConnectorConfig, sms: OutboundSms, opts: SendOptions): Promise<SendResult>;
  parseCallback: ParseCallback;
}
