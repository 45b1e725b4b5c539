import type { EmailPort } from './ports/email.port';
import type { KycPort } from './ports/kyc.port';
import type { PaymentPort } from './ports/payment.port';
import type { SmsPort } from './ports/sms.port';
import type { VoicePort } from './ports/voice.port';
import type { ConnectorConfig, ProviderManifest } from './types';

/**
 * One provider = one file in providers/ exporting `connector`: its manifest, the credential test, and
 * the port of its category (services call the port; they never import a provider by name).
 */
export interface Connector {
  manifest: ProviderManifest;
  /**
   * A cheap authenticated call that proves the credentials work. Resolves on success; throws a
   * ConnectorError (code `auth` or `refused` with the provider's reason, or a transport failure).
   */
  test(config: ConnectorConfig): Promise<void>;
  payment?: PaymentPort;
  kyc?: KycPort;
  email?: EmailPort;
  sms?: SmsPort;
  voice?: VoicePort;
}
