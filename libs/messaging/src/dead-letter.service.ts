import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { DomainError, ErrorCode, type DeadLetterView } from '@app/contracts';

import type { AuditLog } from './audit-log';
import { ConsumerRegistry, type ReplayHandler } from './consumer-registry';
import { DeadLetterStore, errorText, type StoredDeadLetter } from './dead-letter.store';

export interface DeadLetterServiceOptions {
  dataSource: DataSource;
  registry: ConsumerRegistry;
  audit: AuditLog;
  logger: Logger;
}

/**
 * What operators do with parked messages. A replay is accepted at once and runs in the background in
 * this replica (a handler may take as long as a provider call): the consumer's handler gets the stored
 * message in a transaction that also records it processed and deletes the dead letter; a failing
 * replay leaves it parked with one attempt more and the new error.
 */
export class DeadLetterService {
  readonly store: DeadLetterStore;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly opts: DeadLetterServiceOptions) {
    this.store = new DeadLetterStore(opts.dataSource);
  }

  async list(q: {
    consumer?: string;
    limit: number;
    after?: { parked_at: string; id: string };
  }): Promise<{ dead_letters: DeadLetterView[] }> {
    return { dead_letters: (await this.store.list(q)).map(publicView) };
  }

  async get(id: string): Promise<DeadLetterView | null> {
    const found = await this.store.get(id);
    return found ? publicView(found) : null;
  }

  async replay(id: string): Promise<{ id: string }> {
    const found = await this.store.get(id);
    if (!found) throw new DomainError(ErrorCode.NotFound, `No dead letter ${id}`);
    const handler = this.handlerOf(found.consumer);
    await this.opts.audit.record(this.opts.dataSource.manager, { action: 'dead_letter_replayed', target: id });
    this.inBackground([found.id], handler);
    return { id };
  }

  async replayConsumer(consumer: string): Promise<{ replayed: number }> {
    const ids = await this.store.parkedIds(consumer);
    if (ids.length) {
      const handler = this.handlerOf(consumer);
      await this.opts.audit.record(this.opts.dataSource.manager, { action: 'dead_letters_replayed', target: consumer });
      this.inBackground(ids, handler);
    }
    return { replayed: ids.length };
  }

  async discard(id: string): Promise<boolean> {
    return this.opts.dataSource.transaction(async (m) => {
      const deleted = await this.store.delete(id, m);
      if (deleted) await this.opts.audit.record(m, { action: 'dead_letter_discarded', target: id });
      return deleted;
    });
  }

  async discardConsumer(consumer: string): Promise<{ discarded: number }> {
    return this.opts.dataSource.transaction(async (m) => {
      const discarded = await this.store.deleteConsumer(consumer, m);
      if (discarded) await this.opts.audit.record(m, { action: 'dead_letters_discarded', target: consumer });
      return { discarded };
    });
  }

  /** Resolves when no replay is running (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private handlerOf(consumer: string): ReplayHandler {
    const handler = this.opts.registry.get(consumer);
    if (!handler)
      throw new DomainError(
        ErrorCode.Unavailable,
        `Consumer ${consumer} is not running in this service; try again once it has started`,
      );
    return handler;
  }

  private inBackground(ids: string[], handler: ReplayHandler): void {
    const run = (async () => {
      for (const id of ids) await this.replayOne(id, handler);
    })().finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async replayOne(id: string, handler: ReplayHandler): Promise<void> {
    try {
      const consumer = await this.opts.dataSource.transaction(async (m) => {
        const found = await this.store.lockParked(m, id);
        if (!found) return null; // discarded meanwhile, or another replay has it
        const fresh: unknown[] = await m.query(
          `INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
          [found.consumer, found.message_id],
        );
        if (fresh.length) await handler(found, m);
        await this.store.delete(id, m);
        return found.consumer;
      });
      if (consumer) this.opts.logger.info({ dead_letter_id: id, consumer }, 'dead letter replayed');
    } catch (err) {
      this.opts.logger.warn({ err, dead_letter_id: id }, 'dead letter replay failed; it stays parked');
      await this.store
        .replayFailed(id, errorText(err))
        .catch((e: unknown) =>
          this.opts.logger.error({ err: e, dead_letter_id: id }, 'could not record the failed replay'),
        );
    }
  }
}

function publicView(d: StoredDeadLetter): DeadLetterView {
  const { headers: _headers, ...rest } = d;
  return rest;
}
