import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import type { PaymentDirection } from '@app/contracts';
import { LOGGER } from '@app/runtime';

import type { DefaultRouteEntity, RouteEntity } from './routing.entities';
import { RoutingRepository } from './routing.repository';

export interface RoutingSnapshot {
  routes: ReadonlyMap<string, RouteEntity>;
  defaultPair: DefaultRouteEntity | null;
}

export function gatewayFor(
  pair: { depositGateway: string; withdrawalGateway: string },
  direction: PaymentDirection,
): string {
  return direction === 'deposit' ? pair.depositGateway : pair.withdrawalGateway;
}

/**
 * The routing table in memory: resolves read it without touching Postgres. Every change (this
 * replica's own writes, other replicas' change events, a reconnect, the safety-net timer) reloads it
 * whole; a read that arrives while a reload runs waits for it, so a change announced before a request
 * is visible to that request. A failed reload keeps serving the last good table.
 */
@Injectable()
export class RoutingTable {
  private snapshot: RoutingSnapshot = { routes: new Map(), defaultPair: null };
  private loaded = false;
  private wanted = false;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly repo: RoutingRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The current table; loads it on first use or while a reload is pending. */
  async current(): Promise<RoutingSnapshot> {
    if (this.loading) await this.loading.catch(() => undefined);
    else if (!this.loaded) await this.reload().catch(() => undefined);
    if (!this.loaded) await this.reload(); // still nothing: let the error through
    return this.snapshot;
  }

  /** Asks for a reload; resolves once a load that started after this call has finished. */
  reload(): Promise<void> {
    this.wanted = true;
    this.loading ??= this.loop().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async loop(): Promise<void> {
    while (this.wanted) {
      this.wanted = false;
      try {
        const [routes, defaultPair] = await Promise.all([this.repo.allRoutes(), this.repo.defaultPair()]);
        this.snapshot = { routes: new Map(routes.map((r) => [r.country, r])), defaultPair };
        this.loaded = true;
      } catch (err) {
        this.logger.warn({ err }, 'routing table reload failed; serving the previous one');
        throw err;
      }
    }
  }
}
