import type { NatsConnection } from '@nats-io/transport-node';
import { Module, type DynamicModule } from '@nestjs/common';

import { ConnectorsModule, ProviderHealthBoard } from '@app/connectors';
import { INSTANCE, NATS_CONNECTION, SERVICE_CONFIG, type InstanceInfo } from '@app/runtime';
import { VaultModule } from '@app/runtime/service';

import type { CatalogConfig } from './catalog.config';
import { CatalogController } from './providers/catalog.controller';
import { CatalogService } from './providers/catalog.service';
import { ProvidersRepository } from './providers/providers.repository';
import type { SeedEntry } from './seed/providers.seed';
import { CatalogSeeder, SEED } from './seed/seeder';

@Module({})
export class CatalogModule {
  static register(opts: { connectorDirs?: string[]; seed: SeedEntry[] }): DynamicModule {
    return {
      module: CatalogModule,
      imports: [ConnectorsModule.forService({ dirs: opts.connectorDirs, configs: false }), VaultModule],
      controllers: [CatalogController],
      providers: [
        CatalogService,
        ProvidersRepository,
        CatalogSeeder,
        { provide: SEED, useValue: opts.seed },
        {
          // every process's breakers, reported on svc.health.providers; a report not refreshed for three periods expires
          provide: ProviderHealthBoard,
          inject: [NATS_CONNECTION, INSTANCE, SERVICE_CONFIG],
          useFactory: (nc: NatsConnection, i: InstanceInfo, c: CatalogConfig) =>
            new ProviderHealthBoard(nc, i.prefix, 3 * c.CONNECTOR_HEALTH_PUBLISH_MS).start(),
        },
      ],
    };
  }
}
