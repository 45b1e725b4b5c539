import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { LEAD_EVENTS } from '@app/contracts';
import { DATA_SOURCE } from '@app/runtime';

export interface NewBatch {
  id: string;
  event: string;
  leadCount: number;
}

/** Turns pending lead events into delivery batches: the flush. */
@Injectable()
export class BatchesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** The current flush slot: wall-clock multiples of the interval, the same for every replica (database clock). */
  async currentSlot(intervalMs: number): Promise<number> {
    const rows: { slot: string }[] = await this.ds.query(
      `SELECT floor(extract(epoch from clock_timestamp()) * 1000 / $1)::bigint AS slot`,
      [intervalMs],
    );
    return Number(rows[0].slot);
  }

  async affiliatesDue(slot: number): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT a.id FROM affiliates a
       WHERE a.is_active AND (a.last_flush_slot IS NULL OR a.last_flush_slot < $1)
         AND EXISTS (SELECT 1 FROM lead_events e WHERE e.affiliate_id = a.id AND e.status = 'pending')`,
      [slot],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Flushes one affiliate for the slot, once across replicas: the slot claim is a conditional update of
   * the affiliate row, and the pending events are taken with SKIP LOCKED and marked batched in the same
   * transaction. Batches per event type, at most max_batch_size leads each, lead.ftd batches last.
   */
  async flush(affiliateId: string, slot: number, batchAt: string): Promise<NewBatch[]> {
    return this.ds.transaction(async (m) => {
      const [claimed]: [{ max_batch_size: number }[], number] = await m.query(
        `UPDATE affiliates SET last_flush_slot = $2
         WHERE id = $1 AND is_active AND (last_flush_slot IS NULL OR last_flush_slot < $2) RETURNING max_batch_size`,
        [affiliateId, slot],
      );
      if (!claimed.length) return [];
      const size = claimed[0].max_batch_size;
      const events: { id: string; event: string; item: string }[] = await m.query(
        `SELECT id, event, item::text AS item FROM lead_events
         WHERE affiliate_id = $1 AND status = 'pending' ORDER BY id FOR UPDATE SKIP LOCKED`,
        [affiliateId],
      );
      if (!events.length) return [];
      const batches: (NewBatch & { body: string; eventIds: string[] })[] = [];
      for (const name of LEAD_EVENTS) {
        const ofType = events.filter((e) => e.event === name);
        for (let i = 0; i < ofType.length; i += size) {
          const chunk = ofType.slice(i, i + size);
          batches.push({
            id: randomUUID(),
            event: name,
            leadCount: chunk.length,
            eventIds: chunk.map((e) => e.id),
            body: `{"event":${JSON.stringify(name)},"batch_at":${JSON.stringify(batchAt)},"leads":[${chunk.map((e) => e.item).join(',')}]}`,
          });
        }
      }
      // seq follows array order (bigserial in insert order), which is the order a lane sends them in
      await m.query(
        `INSERT INTO deliveries (id, affiliate_id, event, lead_count, body, state)
         SELECT v.id, $1, v.event, v.lead_count, v.body, 'pending'
         FROM unnest($2::uuid[], $3::text[], $4::int[], $5::text[]) WITH ORDINALITY AS v(id, event, lead_count, body, n) ORDER BY v.n`,
        [
          affiliateId,
          batches.map((b) => b.id),
          batches.map((b) => b.event),
          batches.map((b) => b.leadCount),
          batches.map((b) => b.body),
        ],
      );
      await m.query(
        `UPDATE lead_events e SET status = 'batched', delivery_id = v.delivery_id
         FROM unnest($1::bigint[], $2::uuid[]) AS v(id, delivery_id) WHERE e.id = v.id`,
        [batches.flatMap((b) => b.eventIds), batches.flatMap((b) => b.eventIds.map(() => b.id))],
      );
      return batches.map(({ id, event, leadCount }) => ({ id, event, leadCount }));
    });
  }
}
