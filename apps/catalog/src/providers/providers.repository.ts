import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

import { CategoryDefaultEntity, CredentialEntity, ProviderEntity } from './catalog.entities';

/** Catalog tables behind intent-named methods; write methods take the caller's transaction manager. */
@Injectable()
export class ProvidersRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  listProviders(category?: string): Promise<ProviderEntity[]> {
    return this.ds
      .getRepository(ProviderEntity)
      .find({ where: category ? { category } : {}, order: { category: 'ASC', key: 'ASC' } });
  }

  findProvider(key: string, m: EntityManager = this.ds.manager): Promise<ProviderEntity | null> {
    return m.getRepository(ProviderEntity).findOneBy({ key });
  }

  /** Locks the provider row for the rest of the transaction: concurrent changes of one provider queue up. */
  lockProvider(m: EntityManager, key: string): Promise<ProviderEntity | null> {
    return m.getRepository(ProviderEntity).findOne({ where: { key }, lock: { mode: 'pessimistic_write' } });
  }

  saveProvider(m: EntityManager, p: ProviderEntity): Promise<ProviderEntity> {
    return m.getRepository(ProviderEntity).save(p);
  }

  credentials(key: string, m: EntityManager = this.ds.manager): Promise<CredentialEntity[]> {
    return m.getRepository(CredentialEntity).find({ where: { providerKey: key }, order: { field: 'ASC' } });
  }

  async upsertCredential(m: EntityManager, key: string, field: string, sealed: string, keyId: string): Promise<void> {
    await m.query(
      `INSERT INTO credentials (provider_key, field, sealed, key_id, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (provider_key, field) DO UPDATE SET sealed = EXCLUDED.sealed, key_id = EXCLUDED.key_id, updated_at = now()`,
      [key, field, sealed, keyId],
    );
  }

  credentialsNotOnKey(keyId: string, limit: number): Promise<CredentialEntity[]> {
    return this.ds
      .getRepository(CredentialEntity)
      .createQueryBuilder('c')
      .where('c.key_id <> :keyId', { keyId })
      .limit(limit)
      .getMany();
  }

  async rewrapCredential(c: CredentialEntity, sealed: string, keyId: string): Promise<boolean> {
    const res: [unknown[], number] = await this.ds.query(
      `UPDATE credentials SET sealed = $1, key_id = $2 WHERE provider_key = $3 AND field = $4 AND sealed = $5`,
      [sealed, keyId, c.providerKey, c.field, c.sealed],
    );
    return res[1] === 1;
  }

  defaults(m: EntityManager = this.ds.manager): Promise<CategoryDefaultEntity[]> {
    return m.getRepository(CategoryDefaultEntity).find();
  }

  async defaultOf(category: string, m: EntityManager = this.ds.manager): Promise<string | null> {
    return (await m.getRepository(CategoryDefaultEntity).findOneBy({ category }))?.providerKey ?? null;
  }

  async setDefault(m: EntityManager, category: string, key: string | null): Promise<void> {
    await m.query(
      `INSERT INTO category_defaults (category, provider_key, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (category) DO UPDATE SET provider_key = EXCLUDED.provider_key, updated_at = now()`,
      [category, key],
    );
  }

  async activeKeys(category: string, m: EntityManager = this.ds.manager): Promise<string[]> {
    const rows = await m
      .getRepository(ProviderEntity)
      .find({ where: { category, status: 'active' }, order: { key: 'ASC' } });
    return rows.map((r) => r.key);
  }

  /** Inserts seed rows that do not exist yet; replicas starting together are fine. */
  async insertIfMissing(key: string, category: string, settings: Record<string, unknown>): Promise<void> {
    await this.ds.query(
      `INSERT INTO providers (key, category, settings) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
      [key, category, JSON.stringify(settings)],
    );
  }
}
