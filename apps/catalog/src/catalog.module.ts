import { Module, type DynamicModule } from '@nestjs/common';
import { ConnectorRegistry } from '@app/connectors';
import { SERVICE_CONFIG } from '@app/runtime';
import { KeyRing, Vault } from '@app/vault';
import type { CatalogConfig } from './definition';
import { CatalogController } from './providers/catalog.controller';
import { CatalogService } from './providers/catalog.service';
import { ProvidersRepository } from './providers/providers.repository';
import { CatalogSeeder, SEED } from './seed/seeder';
import type { SeedEntry } from './seed/providers.seed';

@Module({})
export class CatalogModule {
  static register(opts: { registry: () => ConnectorRegistry; seed: SeedEntry[] }): DynamicModule {
    return {
      module: CatalogModule,
      controllers: [CatalogController],
      providers: [
        CatalogService, ProvidersRepository, CatalogSeeder,
        { provide: SEED, useValue: opts.seed },
        { provide: ConnectorRegistry, useFactory: opts.registry },
        { provide: Vault, inject: [SERVICE_CONFIG], useFactory: (c: CatalogConfig) => new Vault(KeyRing.fromEnv(c.VAULT_MASTER_KEYS)) },
      ],
    };
  }
}
