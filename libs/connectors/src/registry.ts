import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { ProviderCategory } from '@app/contracts';

import type { Connector } from './connector';
import { guardConnector } from './guard/guarded-connector';
import type { ProviderGuards } from './guard/provider-guard';
import { addDocumentedHosts } from './http';

const CONNECTOR_FILE = /^[a-z0-9_]+\.connector\.(js|ts)$/;

/** Where the platform's own connectors live. */
export const PROVIDERS_DIR = join(__dirname, 'providers');

/** The connector files of `dir`: `<key>.connector.ts` in it or in one of its folders (never a fake or spec). */
function connectorFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? readdirSync(join(dir, e.name))
            .filter((f) => CONNECTOR_FILE.test(f))
            .map((f) => join(dir, e.name, f))
        : CONNECTOR_FILE.test(e.name)
          ? [join(dir, e.name)]
          : [],
    )
    .sort();
}

/**
 * Finds connectors by provider key. Every `providers/<key>.connector.ts`, or `providers/<folder>/<key>.connector.ts`
 * for a provider with helpers, a spec and a fake beside it, exporting `connector` is loaded: adding a provider
 * is adding that file or folder (and its catalog seed entry), nothing else. Given the process's ProviderGuards,
 * every provider call of the connectors it hands out runs under the provider's circuit breaker and concurrency
 * limit (guard/provider-guard.ts).
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

  static fromDirectories(dirs = [PROVIDERS_DIR], guards?: ProviderGuards): ConnectorRegistry {
    const connectors = dirs
      .flatMap(connectorFiles)
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the connectors are the files found in the directories
      .map((f) => (require(f) as { connector?: Connector }).connector)
      .filter((c): c is Connector => !!c);
    return new ConnectorRegistry(connectors, guards);
  }

  get(key: string): Connector | undefined {
    return this.byKey.get(key);
  }

  list(category?: ProviderCategory): Connector[] {
    return [...this.byKey.values()].filter((c) => !category || c.manifest.category === category);
  }
}
