import { performance } from 'node:perf_hooks';

import type { Logger } from 'pino';

/** What the leases need from the database: one statement renewing every lane a replica holds. */
export interface LaneLeaseStore {
  /** Extends the leases of `ids` still held by `owner` and not expired; returns the ids renewed. */
  renewLanes(ids: string[], owner: string, leaseMs: number): Promise<Set<string>>;
}

interface Held {
  id: string;
  lost: AbortController;
  watchdog?: NodeJS.Timeout;
}

/**
 * The leases of the lanes one replica owns. A heartbeat renews them all every lease/3 while the lanes
 * work; a lease not renewed in time, or renewed by nobody because another replica took the lane (or the
 * affiliate was disabled), is lost: its signal aborts, and the lane stops sending at once. The local
 * deadline is counted from before the statement that set the lease was sent (monotonic clock), so it
 * never outlasts the lease in the database: a replica that cannot reach the database gives up its
 * lanes before another may take them.
 */
export class LaneLeases {
  private readonly held = new Map<string, Held>();
  private heartbeat: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;

  constructor(
    private readonly store: LaneLeaseStore,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly onLost: (affiliateId: string) => void = () => undefined,
  ) {}

  /** The moment to count a new lease from: take it before the claim statement is sent. */
  static now(): number {
    return performance.now();
  }

  start(): void {
    this.heartbeat ??= setInterval(
      () => {
        this.renewing ??= this.renew().finally(() => {
          this.renewing = null;
        });
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
  }

  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // a renewal still in flight is not awaited (the database may hang): it can only touch lanes whose
    // owner is still this replica, and released lanes have none
    for (const h of [...this.held.values()]) this.drop(h.id);
  }

  /** Holds a lane claimed at `claimedAt` (LaneLeases.now()); the signal aborts when its lease is lost. */
  hold(id: string, claimedAt: number): AbortSignal {
    this.drop(id);
    const h: Held = { id, lost: new AbortController() };
    this.held.set(id, h);
    this.extend(h, claimedAt);
    return h.lost.signal;
  }

  /** The lane is done (released): no more renewals. */
  drop(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    clearTimeout(h.watchdog);
    this.held.delete(id);
  }

  private extend(h: Held, from: number): void {
    clearTimeout(h.watchdog);
    h.watchdog = setTimeout(
      () => this.lose(h, 'not renewed in time'),
      Math.max(0, from + this.leaseMs - LaneLeases.now()),
    );
  }

  private lose(h: Held, reason: string): void {
    if (this.held.get(h.id) !== h) return;
    this.drop(h.id);
    h.lost.abort(new Error(`lane lease lost: ${reason}`));
    this.onLost(h.id);
    this.logger.warn(
      { affiliate_id: h.id, reason },
      'delivery lane lease lost; stopped sending on it (a batch in flight may be sent again by its next owner)',
    );
  }

  private async renew(): Promise<void> {
    const holds = [...this.held.values()];
    if (!holds.length) return;
    const sentAt = LaneLeases.now();
    let renewed: Set<string>;
    try {
      renewed = await this.store.renewLanes(
        holds.map((h) => h.id),
        this.owner,
        this.leaseMs,
      );
    } catch (err) {
      // the watchdogs decide: a lease not renewed before its deadline is lost
      this.logger.warn({ err }, 'renewing delivery lane leases failed; will retry');
      return;
    }
    for (const h of holds) {
      if (this.held.get(h.id) !== h) continue;
      if (renewed.has(h.id)) this.extend(h, sentAt);
      else this.lose(h, 'taken over by another replica, expired or the affiliate disabled');
    }
  }
}
