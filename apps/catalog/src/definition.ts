import type { ServiceDefinition } from '@app/runtime/service';
import { KeyRing } from '@app/vault';

import { CatalogConfig } from './catalog.config';
import { CatalogModule } from './catalog.module';
import { Catalog1764000001000 } from './database/migrations/1764000001000-catalog';
import { AuditScope1764000001100 } from './database/migrations/1764000001100-audit-scope';
import { AuditTrail1767000001000 } from './database/migrations/1767000001000-audit-trail';
import { CATALOG_ENTITIES } from './providers/catalog.entities';
import { PROVIDER_SEED, type SeedEntry } from './seed/providers.seed';

/**
 * The catalog service. `connectorDirs` and `seed` default to libs/connectors/src/providers and
 * PROVIDER_SEED; a test names a fixture directory and seed to prove a provider needs nothing else.
 */
export function createCatalogService(
  opts: { connectorDirs?: string[]; seed?: SeedEntry[] } = {},
): ServiceDefinition<CatalogConfig> {
  return {
    name: 'catalog',
    defaultHttpPort: 3101,
    config: CatalogConfig,
    module: CatalogModule.register({ connectorDirs: opts.connectorDirs, seed: opts.seed ?? PROVIDER_SEED }),
    entities: CATALOG_ENTITIES,
    migrations: [Catalog1764000001000, AuditScope1764000001100, AuditTrail1767000001000],
    /** Fails before any connection is opened when the vault keys are missing or malformed. */
    validate: (c) => {
      KeyRing.fromEnv(c.VAULT_MASTER_KEYS);
    },
  };
}

export const catalogService = createCatalogService();
