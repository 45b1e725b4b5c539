import type { ConnectorConfig } from '../types';
import type { DeliveryEvent, ParseCallback, SendOptions, SendResult } from './delivery.port';

export interface OutboundCall {
  messageId: string;
  /** The lead, E.164. */
  to: string;
  /** The agent side: extension, SIP id, agent e-mail or number, as the provider understands it. */
  agent: string;
  customerId?: string;
}

/** VoIP providers: click-to-call (agent and lead bridged); read call-status callbacks. */
export interface VoicePort {
  call(config: ConnectorConfig, call: OutboundCall, opts: SendOptions): Promise<SendResult>;
  parseCallback: ParseCallback;
  /**
   * Checks with the provider's API what a verified callback claims but its signature does not cover
   * (a call's outcome and duration). Never throws: an outcome it cannot confirm comes back with
   * `unconfirmed` set. Events without `confirm` come back unchanged.
   */
  confirmCallback?(config: ConnectorConfig, event: DeliveryEvent, opts: { timeoutMs?: number }): Promise<DeliveryEvent>;
}
