import type { EntityManager } from 'typeorm';

import type { StoredDeadLetter } from './dead-letter.store';

/** Runs a consumer's own handler on one stored message, inside the caller's transaction. */
export type ReplayHandler = (deadLetter: StoredDeadLetter, manager: EntityManager) => Promise<void>;

/**
 * The durable consumers running in this process, by name: a replay is handed to the one consumer
 * that parked the message, never published again to every subscriber of its subject.
 */
export class ConsumerRegistry {
  private readonly consumers = new Map<string, ReplayHandler>();

  register(consumer: string, replay: ReplayHandler): void {
    this.consumers.set(consumer, replay);
  }

  get(consumer: string): ReplayHandler | undefined {
    return this.consumers.get(consumer);
  }

  names(): string[] {
    return [...this.consumers.keys()];
  }
}
