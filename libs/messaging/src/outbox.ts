import { randomUUID } from 'node:crypto';

import type {
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

import type { EventMap } from '@app/contracts';
import { currentContext, outgoingTraceparent } from '@app/observability';

const WRITTEN = 'outboxWritten';

/**
 * Writes events in the caller's transaction: the event exists if and only if the state change committed.
 * The row id becomes the JetStream Nats-Msg-Id, so a relay retry is de-duplicated by the server. The
 * transaction is flagged, so the local relay wakes right after the commit (OutboxCommitSubscriber); no
 * NOTIFY, which would serialise every committing transaction on Postgres's global notify lock.
 */
export class OutboxWriter {
  async add<S extends keyof EventMap>(
    manager: EntityManager,
    subject: S,
    payload: EventMap[S],
    opts: { id?: string } = {},
  ): Promise<string> {
    const [id] = await this.addMany(manager, subject, [payload], opts.id ? [opts.id] : undefined);
    return id;
  }

  /** Many events of one subject in one statement (an intake batch may queue hundreds). */
  async addMany<S extends keyof EventMap>(
    manager: EntityManager,
    subject: S,
    payloads: EventMap[S][],
    ids?: string[],
  ): Promise<string[]> {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('OutboxWriter.add must run inside the transaction of the state change it announces');
    }
    if (payloads.length === 0) return [];
    const rowIds = ids ?? payloads.map(() => randomUUID());
    await manager.query(
      `INSERT INTO outbox (id, subject, payload, headers) SELECT unnest($1::uuid[]), $2, unnest($3::jsonb[]), $4::jsonb`,
      [rowIds, subject, payloads.map((p) => JSON.stringify(p)), JSON.stringify(eventHeaders())],
    );
    runner.data = { ...(runner.data as object), [WRITTEN]: true };
    return rowIds;
  }
}

/** The headers of an event written now: the request id and the trace of the request that writes it. */
export function eventHeaders(): Record<string, string> {
  const ctx = currentContext();
  if (!ctx) return {};
  // the span of the request that wrote the row, so its publish and consumers join that trace
  const traceparent = outgoingTraceparent(ctx.traceId);
  return { 'x-request-id': ctx.requestId, ...(traceparent ? { traceparent } : {}) };
}

/** Calls `onCommit` after a transaction that wrote outbox rows commits (TypeORM transaction events). */
export class OutboxCommitSubscriber implements EntitySubscriberInterface {
  constructor(private readonly onCommit: () => void) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data?.[WRITTEN]) {
      data[WRITTEN] = false;
      this.onCommit();
    }
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    if (data) data[WRITTEN] = false;
  }
}
