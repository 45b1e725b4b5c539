import { Injectable } from '@nestjs/common';

import { ConnectorRegistry, ProviderConfigCache, type PaymentPort } from '@app/connectors';
import { DomainError, ErrorCode, type PaymentDirection, type ProviderConfigView } from '@app/contracts';

import { PaymentsErrors } from '../payments.errors';
import { gatewayFor, RoutingTable } from '../routing/routing-table';

export interface UsableGateway {
  key: string;
  port: PaymentPort;
  config: ProviderConfigView;
}

export interface Choice {
  first: UsableGateway;
  source: 'country' | 'default';
  /** The direction's default gateway, when it differs from the first: where a failing call fails over to. */
  fallback: UsableGateway | null;
}

/**
 * The resolution rule: the country's active route names the gateway when that gateway is active;
 * otherwise the configured default pair serves when its gateway is active. No usable route and no
 * (active) default pair: 503 (the catalog's default payment provider is not a routing default).
 * Everything here is read from memory: the routing table and the provider config cache.
 */
@Injectable()
export class GatewayChooser {
  constructor(
    private readonly table: RoutingTable,
    private readonly configs: ProviderConfigCache,
    private readonly registry: ConnectorRegistry,
  ) {}

  async choose(country: string, direction: PaymentDirection): Promise<Choice> {
    const t = await this.table.current();
    const route = t.routes.get(country);
    const byDefault = t.defaultPair ? await this.usable(gatewayFor(t.defaultPair, direction)) : null;
    const byCountry = route?.isActive ? await this.usable(gatewayFor(route, direction)) : null;
    if (byCountry)
      return {
        first: byCountry,
        source: 'country',
        fallback: byDefault && byDefault.key !== byCountry.key ? byDefault : null,
      };
    if (byDefault) return { first: byDefault, source: 'default', fallback: null };
    throw PaymentsErrors.nothingServes(country, direction);
  }

  private async usable(key: string): Promise<UsableGateway | null> {
    try {
      return this.withPort(await this.configs.get(key));
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return null;
      throw err;
    }
  }

  private withPort(config: ProviderConfigView): UsableGateway | null {
    const port = this.registry.get(config.key)?.payment;
    return config.status === 'active' && config.category === 'payment' && port
      ? { key: config.key, port, config }
      : null;
  }
}
