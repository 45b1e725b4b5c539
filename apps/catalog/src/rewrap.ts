// `npm run vault:rewrap`: moves every stored credential to the first key of VAULT_MASTER_KEYS.
// Run it after putting a new key first (keep the old ones listed until it reports 0 left).
import 'reflect-metadata';

import { MessagingTables1764000000000 } from '@app/messaging';
import { createServiceDataSource, initializeServiceDataSource } from '@app/persistence';
import { loadConfig } from '@app/runtime';
import { KeyRing, Vault } from '@app/vault';

import { CatalogConfig } from './catalog.config';
import { Catalog1764000001000 } from './database/migrations/1764000001000-catalog';
import { AuditScope1764000001100 } from './database/migrations/1764000001100-audit-scope';
import { CATALOG_ENTITIES } from './providers/catalog.entities';
import { ProvidersRepository } from './providers/providers.repository';
import { rewrapAll } from './vault/rewrap';

async function main(): Promise<void> {
  const config = loadConfig(CatalogConfig);
  const vault = new Vault(KeyRing.fromEnv(config.VAULT_MASTER_KEYS));
  const ds = createServiceDataSource({
    url: config.DATABASE_URL,
    schema: 'catalog',
    entities: CATALOG_ENTITIES,
    migrations: [MessagingTables1764000000000, Catalog1764000001000, AuditScope1764000001100],
  });
  await initializeServiceDataSource(ds);
  try {
    const result = await rewrapAll(new ProvidersRepository(ds), vault);
    const left = await new ProvidersRepository(ds).credentialsNotOnKey(vault.currentKeyId, 1);
    process.stdout.write(
      `vault rewrap: ${result.rewrapped} credential(s) moved to key ${vault.currentKeyId}; ${left.length ? 'some' : 'none'} left on older keys\n`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`vault rewrap: ${err.message}\n`);
  process.exit(err.name === 'ConfigError' ? 2 : 1);
});
