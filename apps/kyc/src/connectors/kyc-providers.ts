import { Injectable } from '@nestjs/common';

import { ConnectorRegistry, ProviderConfigCache, type ConnectorConfig, type KycPort } from '@app/connectors';

import { KycErrors } from '../kyc.errors';

export interface KycProvider {
  key: string;
  port: KycPort;
  config: ConnectorConfig;
}

/**
 * A KYC provider's port with its current configuration from the catalog. The caller keeps what it got
 * for the whole operation, so a swap mid-request does not split one operation across two providers.
 */
@Injectable()
export class KycProviders {
  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly cache: ProviderConfigCache,
  ) {}

  /** The KYC default, or the named provider (which must be active): for new applicants. */
  async active(provider?: string): Promise<KycProvider> {
    const view = await this.cache.resolve('kyc', provider);
    return {
      key: view.key,
      port: this.port(view.key),
      config: { credentials: view.credentials, settings: view.settings },
    };
  }

  /** Any configured KYC provider, active or not: its webhooks and applicants still need answering. */
  async byKey(key: string): Promise<KycProvider> {
    const port = this.port(key);
    const view = await this.cache.get(key);
    return { key, port, config: { credentials: view.credentials, settings: view.settings } };
  }

  hasPort(key: string): boolean {
    return !!this.registry.get(key)?.kyc;
  }

  private port(key: string): KycPort {
    const port = this.registry.get(key)?.kyc;
    if (!port) throw KycErrors.notKycProvider(key);
    return port;
  }
}
