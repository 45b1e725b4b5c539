import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ConnectorRegistry } from '@app/connectors';

import { ProvidersRepository } from '../providers/providers.repository';
import type { SeedEntry } from './providers.seed';

export const SEED = Symbol('CATALOG_SEED');

/** Inserts the seeded providers that are not in the catalog yet; existing rows are never touched. */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  constructor(
    private readonly repo: ProvidersRepository,
    private readonly registry: ConnectorRegistry,
    @Inject(SEED) private readonly seed: SeedEntry[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const entry of this.seed) {
      const connector = this.registry.get(entry.key);
      if (!connector)
        throw new Error(`catalog seed names ${entry.key}, but libs/connectors has no ${entry.key}.connector file`);
      await this.repo.insertIfMissing(entry.key, connector.manifest.category, entry.settings ?? {});
    }
  }
}
