import { Injectable } from '@nestjs/common';

import type { SetThresholdRequest, ThresholdView } from '@app/contracts';

import { ThresholdsRepository, type ThresholdRow } from './thresholds.repository';

export const DEFAULT_COUNTRY = 'default';

/** FTD thresholds per country (upper case) and the `default` one. */
@Injectable()
export class ThresholdsService {
  constructor(private readonly repo: ThresholdsRepository) {}

  async set(req: SetThresholdRequest): Promise<ThresholdView> {
    const country = req.country.toLowerCase() === DEFAULT_COUNTRY ? DEFAULT_COUNTRY : req.country.toUpperCase();
    return toView(await this.repo.upsert(country, String(req.min_amount), req.currency.toUpperCase()));
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
