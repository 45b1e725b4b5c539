import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Connector } from './connector';
import { guardConnector } from './guard/guarded-connector';
import type { ProviderGuards } from './guard/provider-guard';
import { addDocumentedHosts } from './http';
import type { Category } from './types';

const CONNECTOR_FILE = /^[a-z0-9_]+\.connector\.(js|ts)$/;

/** Where the platform's own connectors live. */
export const PROVIDERS_DIR = join(__dirname, 'providers');

/**
 * Finds connectors by provider key. Every file `providers/<key>.connector.ts` exporting `connector` is
 * loaded: adding a provider is adding that file (and its catalog seed entry), nothing else. Given the
 * process's ProviderGuards, every provider call of the connectors it hands out runs under the
 * provider's circuit breaker and concurrency limit (guard/provider-guard.ts).
 */
export class ConnectorRegistry {
  private readonly byKey = new Map<string, Connector>();

  constructor(
    connectors: Connector[],
    readonly guards?: ProviderGuards,
  ) {
    for (const c of connectors) {
      if (this.byKey.has(c.manifest.key)) throw new Error(`two connectors declare the key ${c.manifest.key}`);
      this.byKey.set(c.manifest.key, guards ? guardConnector(c, guards.for(c.manifest.key)) : c);
      addDocumentedHosts(c.manifest.hosts ?? []);
    }
  }

  static fromDirectory(dir = PROVIDERS_DIR, guards?: ProviderGuards): ConnectorRegistry {
    return ConnectorRegistry.fromDirectories([dir], guards);
  }

  static fromDirectories(dirs: string[], guards?: ProviderGuards): ConnectorRegistry {
    const connectors = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => CONNECTOR_FILE.test(f))
        .sort()

        .map((f) => (require(join(dir, f)) as { connector?: Connector }).connector)
        .filter((c): c is Connector => !!c),
    );
    return new ConnectorRegistry(connectors, guards);
  }

  get(key: string): Connector | undefined {
    return this.byKey.get(key);
  }

  list(category?: Category): Connector[] {
    return [...this.byKey.values()].filter((c) => !category || c.manifest.category === category);
  }
}
