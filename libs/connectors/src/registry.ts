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
  private readonly files = new Map<string, string>();

  constructor(
    connectors: Connector[],
    readonly guards?: ProviderGuards,
    /** The file each connector was loaded from, by position (fromDirectories gives them). */
    sources: string[] = [],
  ) {
    connectors.forEach((c, i) => {
      if (this.byKey.has(c.manifest.key)) throw new Error(`two connectors declare the key ${c.manifest.key}`);
      if (sources[i]) this.files.set(c.manifest.key, sources[i]);
      this.byKey.set(c.manifest.key, guards ? guardConnector(c, guards.for(c.manifest.key)) : c);
      addDocumentedHosts(c.manifest.hosts ?? []);
    });
  }

  static fromDirectories(dirs = [PROVIDERS_DIR], guards?: ProviderGuards): ConnectorRegistry {
    const found = dirs
      .flatMap(connectorFiles)
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the connectors are the files found in the directories
      .map((file) => ({ file, connector: (require(file) as { connector?: Connector }).connector }))
      .filter((f): f is { file: string; connector: Connector } => !!f.connector);
    return new ConnectorRegistry(
      found.map((f) => f.connector),
      guards,
      found.map((f) => f.file),
    );
  }

  /** The `<key>.connector` file the connector was loaded from (fromDirectories only). */
  sourceOf(key: string): string | undefined {
    return this.files.get(key);
  }

  get(key: string): Connector | undefined {
    return this.byKey.get(key);
  }

  list(category?: ProviderCategory): Connector[] {
    return [...this.byKey.values()].filter((c) => !category || c.manifest.category === category);
  }
}
