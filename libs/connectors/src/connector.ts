import type { ConnectorConfig, ProviderManifest } from './types';

/**
 * One provider = one file in providers/ exporting `connector`. The category ports (EmailPort, SmsPort,
 * VoicePort, PaymentPort, KycPort) are added by the issues that need them, as optional members here.
 */
export interface Connector {
  manifest: ProviderManifest;
  /**
   * A cheap authenticated call that proves the credentials work. Resolves on success; throws a
   * ConnectorError (code `auth` or `refused` with the provider's reason, or a transport failure).
   */
  test(config: ConnectorConfig): Promise<void>;
}
