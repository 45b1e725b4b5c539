import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

export interface AffiliateRow {
  id: string;
  name: string;
  webhook_url: string;
  secret_sealed: string;
  secret_hint: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Date | null;
  is_active: boolean;
  max_batch_size: number;
  disabled_reason: string | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type AffiliateWrite = Omit<AffiliateRow, 'created_at' | 'updated_at' | 'disabled_at'> & {
  disabled_at: Date | null;
};

/** The affiliates table behind intent-named methods. */
@Injectable()
export class AffiliatesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async find(id: string, m: EntityManager = this.ds.manager): Promise<AffiliateRow | null> {
    const rows: AffiliateRow[] = await m.query(`SELECT * FROM affiliates WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The first `limit` affiliates in id order (byte order, as the API's cursor compares), after `afterId`. */
  async page(limit: number, afterId?: string): Promise<AffiliateRow[]> {
    return afterId === undefined
      ? this.ds.query(`SELECT * FROM affiliates ORDER BY id COLLATE "C" LIMIT $1`, [limit])
      : this.ds.query(`SELECT * FROM affiliates WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2`, [
          afterId,
          limit,
        ]);
  }

  async lock(m: EntityManager, id: string): Promise<AffiliateRow | null> {
    const rows: AffiliateRow[] = await m.query(`SELECT * FROM affiliates WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async save(m: EntityManager, a: AffiliateWrite): Promise<AffiliateRow> {
    const rows: AffiliateRow[] = await m.query(
      `INSERT INTO affiliates (id, name, webhook_url, secret_sealed, secret_hint, previous_secret_sealed, previous_secret_until,
         is_active, max_batch_size, disabled_reason, disabled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, webhook_url = EXCLUDED.webhook_url,
         secret_sealed = EXCLUDED.secret_sealed, secret_hint = EXCLUDED.secret_hint,
         previous_secret_sealed = EXCLUDED.previous_secret_sealed, previous_secret_until = EXCLUDED.previous_secret_until,
         is_active = EXCLUDED.is_active, max_batch_size = EXCLUDED.max_batch_size,
         disabled_reason = EXCLUDED.disabled_reason, disabled_at = EXCLUDED.disabled_at,
         failing_since = CASE WHEN EXCLUDED.is_active AND NOT affiliates.is_active THEN NULL ELSE affiliates.failing_since END,
         updated_at = now()
       RETURNING *`,
      [
        a.id,
        a.name,
        a.webhook_url,
        a.secret_sealed,
        a.secret_hint,
        a.previous_secret_sealed,
        a.previous_secret_until,
        a.is_active,
        a.max_batch_size,
        a.disabled_reason,
        a.disabled_at,
      ],
    );
    return rows[0];
  }
}
