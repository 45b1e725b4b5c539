import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EventSubject } from '@app/contracts';
import { outboxChannel } from '@app/messaging';
import { currentContext } from '@app/observability';

/**
 * OutboxWriter.add for many events in one statement (an intake batch can queue hundreds of FTDs):
 * the same rows and the same notification, in the caller's transaction. Belongs in libs/messaging
 * as `addMany`; kept here because that lib is not ours to change.
 */
export async function addOutboxEvents(m: EntityManager, schema: string, subject: EventSubject, payloads: object[]): Promise<void> {
  if (!payloads.length) return;
  if (!m.queryRunner?.isTransactionActive) throw new Error('outbox rows must be written in the transaction of the state change');
  const ctx = currentContext();
  const headers = JSON.stringify(ctx ? { 'x-request-id': ctx.requestId } : {});
  await m.query(
    `INSERT INTO outbox (id, subject, payload, headers)
     SELECT unnest($1::uuid[]), $2, unnest($3::jsonb[]), $4::jsonb`,
    [payloads.map(() => randomUUID()), subject, payloads.map((p) => JSON.stringify(p)), headers],
  );
  await m.query(`SELECT pg_notify($1, '')`, [outboxChannel(schema)]);
}
