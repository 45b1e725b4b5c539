import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';

import {
  catalogSubjects,
  eventSubjects,
  type ProviderCategory,
  type ProviderChangedEvent,
  type ProviderConfigView,
} from '@app/contracts';
import { prefixed, type BusClient } from '@app/messaging';

/**
 * Every service's view of provider configuration: fetched from the catalog over NATS, cached, and
 * invalidated on every replica by evt.catalog.provider.changed (a plain subscription: each replica
 * gets every change, where a durable consumer would share them). After a reconnect everything is
 * dropped, since changes may have been missed. A caller keeps the config it got for the whole
 * operation, so a request in flight finishes on the provider it started with.
 */
export class ProviderConfigCache implements OnModuleInit, OnModuleDestroy {
  private readonly byKey = new Map<string, Promise<ProviderConfigView>>();
  private readonly byCategory = new Map<string, Promise<ProviderConfigView>>();
  private generation = 0;
  private sub: Subscription | null = null;

  constructor(
    private readonly bus: BusClient,
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly opts: { ttlMs?: number; onChange?: (e: ProviderChangedEvent) => void } = {},
  ) {}

  /** Subscribes to the catalog's changes (Nest calls it when the service starts). */
  onModuleInit(): void {
    this.sub = this.nc.subscribe(prefixed(this.prefix, eventSubjects.catalogProviderChanged), {
      callback: (err, msg) => {
        if (err) return;
        const event = msg.json<ProviderChangedEvent>();
        this.invalidate(event.key, event.category);
        this.opts.onChange?.(event);
      },
    });
    void (async () => {
      for await (const s of this.nc.status()) if (s.type === 'reconnect') this.clear();
    })().catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }

  /** The configuration of one provider (active or not). */
  get(key: string): Promise<ProviderConfigView> {
    return this.cached(this.byKey, key, () => this.bus.request(catalogSubjects.getConfig, { key }));
  }

  /** The category's default provider, or the named one (which must be active and of the category). */
  resolve(category: ProviderCategory, provider?: string): Promise<ProviderConfigView> {
    const cacheKey = `${category}:${provider ?? '*'}`;
    return this.cached(this.byCategory, cacheKey, () =>
      this.bus.request(catalogSubjects.resolveConfig, { category, ...(provider ? { provider } : {}) }),
    );
  }

  clear(): void {
    this.generation++;
    this.byKey.clear();
    this.byCategory.clear();
  }

  private invalidate(key: string, category: string): void {
    this.generation++;
    this.byKey.delete(key);
    for (const k of [...this.byCategory.keys()]) if (k.startsWith(`${category}:`)) this.byCategory.delete(k);
  }

  private cached(map: Map<string, Promise<ProviderConfigView>>, key: string, load: () => Promise<ProviderConfigView>) {
    const hit = map.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const p = load();
    map.set(key, p);
    p.then(
      () => {
        // a change that arrived while loading may not be in this answer: keep it for this caller only
        if (this.generation !== generation && map.get(key) === p) map.delete(key);
        else
          setTimeout(() => {
            if (map.get(key) === p) map.delete(key);
          }, this.opts.ttlMs ?? 60_000).unref();
      },
      () => {
        if (map.get(key) === p) map.delete(key);
      },
    );
    return p;
  }
}
