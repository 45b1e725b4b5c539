import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { ConnectorRegistry, staticRuleProblems } from '@app/connectors';

import { ProvidersRepository } from '../providers/providers.repository';
import type { SeedEntry } from './providers.seed';

export const SEED = Symbol('CATALOG_SEED');

/**
 * Why the seed cannot be applied: an entry naming no connector, or a connector failing the static rules
 * of the conformance kit (manifest, documented hosts, its category's port; libs/connectors/src/manifest-rules.ts).
 * Empty when every entry may be seeded.
 */
export function seedRefusals(seed: SeedEntry[], registry: ConnectorRegistry): string[] {
  return seed.flatMap((entry) => {
    const connector = registry.get(entry.key);
    if (!connector) return [`catalog seed names ${entry.key}, but libs/connectors has no ${entry.key}.connector file`];
    return staticRuleProblems(connector, { file: registry.sourceOf(entry.key) }).map(
      (p) => `catalog seed names ${entry.key}, whose connector fails the ${p.rule} rule: ${p.message}`,
    );
  });
}

/**
 * Inserts the seeded providers that are not in the catalog yet; existing rows are never touched. Refuses
 * to start, seeding nothing, when an entry names no connector or one that fails the kit's static rules.
 */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  constructor(
    private readonly repo: ProvidersRepository,
    private readonly registry: ConnectorRegistry,
    @Inject(SEED) private readonly seed: SeedEntry[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const refusals = seedRefusals(this.seed, this.registry);
    if (refusals.length) throw new Error(refusals.join('; '));
    for (const entry of this.seed) {
      const connector = this.registry.get(entry.key)!;
      await this.repo.insertIfMissing(entry.key, connector.manifest.category, entry.settings ?? {});
    }
  }
}
