import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

import { DefaultRouteEntity, RouteEntity } from './routing.entities';

export interface RouteFields {
  country: string;
  depositGateway: string;
  withdrawalGateway: string;
  isActive: boolean;
  note: string | null;
}

/** Routes and the default pair; write methods take the caller's transaction manager. */
@Injectable()
export class RoutingRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  allRoutes(): Promise<RouteEntity[]> {
    return this.ds.getRepository(RouteEntity).find({ order: { country: 'ASC' } });
  }

  defaultPair(): Promise<DefaultRouteEntity | null> {
    return this.ds.getRepository(DefaultRouteEntity).findOneBy({ id: 1 });
  }

  async upsertRoute(m: EntityManager, r: RouteFields): Promise<RouteEntity> {
    const rows: RouteEntity[] = await m.query(
      `INSERT INTO routes (country, deposit_gateway, withdrawal_gateway, is_active, note, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (country) DO UPDATE SET deposit_gateway = EXCLUDED.deposit_gateway, withdrawal_gateway = EXCLUDED.withdrawal_gateway,
         is_active = EXCLUDED.is_active, note = EXCLUDED.note, updated_at = now()
       RETURNING country`,
      [r.country, r.depositGateway, r.withdrawalGateway, r.isActive, r.note],
    );
    return (await m.getRepository(RouteEntity).findOneBy({ country: rows[0].country }))!;
  }

  async deleteRoute(m: EntityManager, country: string): Promise<boolean> {
    const res = await m.getRepository(RouteEntity).delete({ country });
    return (res.affected ?? 0) > 0;
  }

  async setDefaultPair(m: EntityManager, depositGateway: string, withdrawalGateway: string): Promise<void> {
    await m.query(
      `INSERT INTO default_route (id, deposit_gateway, withdrawal_gateway, updated_at) VALUES (1, $1, $2, now())
       ON CONFLICT (id) DO UPDATE SET deposit_gateway = EXCLUDED.deposit_gateway, withdrawal_gateway = EXCLUDED.withdrawal_gateway, updated_at = now()`,
      [depositGateway, withdrawalGateway],
    );
  }
}
