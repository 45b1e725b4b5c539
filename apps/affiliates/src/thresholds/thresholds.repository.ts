import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

export interface ThresholdRow {
  country: string;
  min_amount: string;
  currency: string;
  updated_at: Date;
}

@Injectable()
export class ThresholdsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async upsert(m: EntityManager, country: string, minAmount: string, currency: string): Promise<ThresholdRow> {
    const rows: ThresholdRow[] = await m.query(
      `INSERT INTO ftd_thresholds (country, min_amount, currency) VALUES ($1, $2, $3)
       ON CONFLICT (country) DO UPDATE SET min_amount = EXCLUDED.min_amount, currency = EXCLUDED.currency, updated_at = now()
       RETURNING *`,
      [country, minAmount, currency],
    );
    return rows[0];
  }

  all(m: EntityManager = this.ds.manager): Promise<ThresholdRow[]> {
    return m.query(`SELECT * FROM ftd_thresholds ORDER BY country`);
  }
}
