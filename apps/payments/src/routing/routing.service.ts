import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { ConnectorRegistry } from '@app/connectors';
import {
  eventSubjects,
  PutRouteRequest,
  SetDefaultRouteRequest,
  type DefaultRouteView,
  type FieldError,
  type RouteView,
  type RoutingChangedEvent,
  type RoutingListView,
} from '@app/contracts';
import { AuditLog, OutboxWriter } from '@app/messaging';
import { validRequest } from '@app/runtime';

import { PaymentsErrors } from '../payments.errors';
import { RoutingChanges } from './routing-changes';
import { RoutingTable } from './routing-table';
import type { DefaultRouteEntity, RouteEntity } from './routing.entities';
import { RoutingRepository } from './routing.repository';

export function routeView(r: RouteEntity): RouteView {
  return {
    country: r.country,
    deposit_gateway: r.depositGateway,
    withdrawal_gateway: r.withdrawalGateway,
    is_active: r.isActive,
    note: r.note,
    updated_at: r.updatedAt.toISOString(),
  };
}

/** The fields a request sets (the path's country is the target, not a field). */
function fieldsOf(req: object): string[] {
  return Object.entries(req)
    .filter(([k, v]) => k !== 'country' && v !== undefined)
    .map(([k]) => k);
}

function defaultView(d: DefaultRouteEntity | null): DefaultRouteView {
  return { deposit_gateway: d?.depositGateway ?? null, withdrawal_gateway: d?.withdrawalGateway ?? null };
}

/** The routing API: writes go to Postgres with a change event; reads come from the in-memory table. */
@Injectable()
export class RoutingService {
  constructor(
    private readonly repo: RoutingRepository,
    private readonly table: RoutingTable,
    private readonly changes: RoutingChanges,
    private readonly registry: ConnectorRegistry,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
  ) {}

  /** `raw` is the path's country and the body, unvalidated: every invalid field is listed in one 400. */
  async put(raw: unknown): Promise<RouteView> {
    const req = validRequest(PutRouteRequest, raw, (r, bad) => this.paymentGatewayErrors(r, bad));
    const row = await this.change({ action: 'route_put', country: req.country }, fieldsOf(req), (m) =>
      this.repo.upsertRoute(m, {
        country: req.country,
        depositGateway: req.deposit_gateway,
        withdrawalGateway: req.withdrawal_gateway,
        isActive: req.is_active ?? true,
        note: req.note ?? null,
      }),
    );
    return routeView(row);
  }

  async list(): Promise<RoutingListView> {
    const t = await this.table.current();
    return { routes: [...t.routes.values()].map(routeView), default: defaultView(t.defaultPair) };
  }

  async get(country: string): Promise<RouteView> {
    const route = (await this.table.current()).routes.get(country);
    if (!route) throw PaymentsErrors.noRoute(country);
    return routeView(route);
  }

  async delete(country: string): Promise<{ deleted: true }> {
    await this.change({ action: 'route_deleted', country }, [], async (m) => {
      if (!(await this.repo.deleteRoute(m, country))) throw PaymentsErrors.noRoute(country);
    });
    return { deleted: true };
  }

  async getDefault(): Promise<DefaultRouteView> {
    return defaultView((await this.table.current()).defaultPair);
  }

  async setDefault(raw: unknown): Promise<DefaultRouteView> {
    const req = validRequest(SetDefaultRouteRequest, raw, (r, bad) => this.paymentGatewayErrors(r, bad));
    await this.change({ action: 'default_set', country: null }, fieldsOf(req), (m) =>
      this.repo.setDefaultPair(m, req.deposit_gateway, req.withdrawal_gateway),
    );
    return this.getDefault();
  }

  /** The write, its audit entry and its durable event in one transaction; then this replica reloads and the others are told. */
  private async change<T>(
    what: Omit<RoutingChangedEvent, 'at' | 'origin'>,
    fields: string[],
    write: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    const event: RoutingChangedEvent = { ...what, at: new Date().toISOString(), origin: this.changes.origin };
    const result = await this.repo.transaction(async (m) => {
      const r = await write(m);
      await this.audit.record(m, { action: what.action, target: what.country ?? 'default', fields });
      await this.outbox.add(m, eventSubjects.paymentsRoutingChanged, event);
      return r;
    });
    await this.changes.announce(event);
    await this.table.reload();
    return result;
  }

  /** A gateway named in a route must be a payment provider; checked for well-formed keys only. */
  private paymentGatewayErrors(
    req: { deposit_gateway: string; withdrawal_gateway: string },
    invalid: ReadonlySet<string>,
  ): FieldError[] {
    const errors: FieldError[] = [];
    for (const field of ['deposit_gateway', 'withdrawal_gateway'] as const) {
      if (invalid.has(field)) continue;
      const c = this.registry.get(req[field]);
      if (!c || c.manifest.category !== 'payment' || !c.payment)
        errors.push({ field, message: `${req[field]} is not a payment provider` });
    }
    return errors;
  }
}
