import { Injectable } from '@nestjs/common';

import type { SetThresholdRequest, ThresholdView } from '@app/contracts';
import { AuditLog } from '@app/messaging';

import { ThresholdsRepository, type ThresholdRow } from './thresholds.repository';

export const DEFAULT_COUNTRY = 'default';

/** FTD thresholds per country (upper case) and the `default` one. */
@Injectable()
export class ThresholdsService {
  constructor(
    private readonly repo: ThresholdsRepository,
    private readonly audit: AuditLog,
  ) {}

  async set(req: SetThresholdRequest): Promise<ThresholdView> {
    const country = req.country.toLowerCase() === DEFAULT_COUNTRY ? DEFAULT_COUNTRY : req.country.toUpperCase();
    const row = await this.repo.transaction(async (m) => {
      const saved = await this.repo.upsert(m, country, String(req.min_amount), req.currency.toUpperCase());
      await this.audit.record(m, { action: 'threshold_set', target: country, fields: ['min_amount', 'currency'] });
      return saved;
    });
    return toView(row);
  }

  async list(): Promise<{ thresholds: ThresholdView[] }> {
    return { thresholds: (await this.repo.all()).map(toView) };
  }
}

export function toView(r: ThresholdRow): ThresholdView {
  return {
    country: r.country,
    min_amount: Number(r.min_amount),
    currency: r.currency,
    updated_at: r.updated_at.toISOString(),
  };
}
