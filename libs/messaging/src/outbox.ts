import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventSubject } from '@app/contracts';
import { currentContext, nextTraceparent } from '@app/observability';

/** LISTEN/NOTIFY channel: the insert notifies on commit, so relays in every replica wake at once. */
export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}

/**
 * Writes events in the caller's transaction: the event exists if and only if the state change committed.
 * The row id becomes the JetStream Nats-Msg-Id, so a relay retry is de-duplicated by the server.
 */
export class OutboxWriter {
  constructor(private readonly schema: string) {}

  async add(manager: EntityManager, subject: EventSubject, payload: object, opts: { id?: string } = {}): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.add must run inside the transaction of the state change it announces');
    }
    const id = opts.id ?? randomUUID();
    const ctx = currentContext();
    await manager.query(
      `INSERT INTO outbox (id, subject, payload, headers) VALUES ($1, $2, $3, $4)`,
      [id, subject, JSON.stringify(payload), JSON.stringify(ctx ? {
        'x-request-id': ctx.requestId, ...(ctx.traceId ? { traceparent: nextTraceparent(ctx.traceId) } : {}),
      } : {})],
    );
    await manager.query(`SELECT pg_notify($1, '')`, [outboxChannel(this.schema)]);
    return id;
  }
}
