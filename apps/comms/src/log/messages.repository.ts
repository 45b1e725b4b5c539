import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import type { CommsChannel } from '@app/contracts';
import { DATA_SOURCE } from '@app/runtime';

export interface MessageRow {
  id: string;
  channel: CommsChannel;
  provider: string;
  provider_message_id: string | null;
  correlation_key: string | null;
  status: string;
  to_address: string;
  customer_id: string | null;
  event_type: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface EventRow {
  message_id: string | null;
  provider: string;
  provider_event_id: string | null;
  status: string | null;
  provider_status: string;
  applied: boolean;
  details: Record<string, unknown> | null;
  at: Date;
}

export interface AttemptRow {
  message_id: string;
  provider: string;
  outcome: 'sent' | 'failed' | 'refused';
  error: string | null;
  at: Date;
}

export interface PartRow {
  message_id: string;
  provider: string;
  provider_message_id: string;
  part: number;
  status: string;
  provider_status: string | null;
}

/** How a callback's single-use token was claimed: first use, a retry of the same body, or another body. */
export type TokenClaim = 'claimed' | 'retry' | 'conflict';

export interface MessageFilter {
  customerId?: string;
  status?: string;
  channel?: string;
  limit: number;
}

/** The message log, its events and attempts, and the suppression list, behind intent-named methods. */
@Injectable()
export class MessagesRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async createMessage(
    row: Pick<MessageRow, 'id' | 'channel' | 'provider' | 'status' | 'to_address' | 'customer_id' | 'event_type'>,
  ): Promise<void> {
    await this.ds.query(
      `INSERT INTO messages (id, channel, provider, status, to_address, customer_id, event_type) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, row.channel, row.provider, row.status, row.to_address, row.customer_id, row.event_type],
    );
  }

  async suppressionOf(channel: CommsChannel, address: string): Promise<string | null> {
    const rows: { reason: string }[] = await this.ds.query(
      `SELECT reason FROM suppressions WHERE channel = $1 AND address = $2`,
      [channel, address],
    );
    return rows[0]?.reason ?? null;
  }

  async lockMessage(m: EntityManager, id: string): Promise<MessageRow> {
    const rows: MessageRow[] = await m.query(`SELECT * FROM messages WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0];
  }

  async recordAttempt(
    m: EntityManager | null,
    a: Omit<AttemptRow, 'at'> & { provider_message_id?: string | null },
  ): Promise<void> {
    await (m ?? this.ds.manager).query(
      `INSERT INTO message_attempts (message_id, provider, outcome, error, provider_message_id) VALUES ($1, $2, $3, $4, $5)`,
      [a.message_id, a.provider, a.outcome, a.error, a.provider_message_id ?? null],
    );
  }

  async markAccepted(
    m: EntityManager,
    id: string,
    provider: string,
    providerMessageId: string | null,
    correlationKey: string | null,
  ): Promise<void> {
    await m.query(
      `UPDATE messages SET provider = $2, provider_message_id = $3, correlation_key = $4, updated_at = now() WHERE id = $1`,
      [id, provider, providerMessageId, correlationKey],
    );
  }

  async setStatus(m: EntityManager, id: string, status: string): Promise<void> {
    await m.query(`UPDATE messages SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
  }

  /**
   * Locks the messages a batch of callbacks refers to, by our id, the provider's id or the provider's id
   * of one of their parts, in a stable order.
   */
  async lockForCallbacks(
    m: EntityManager,
    provider: string,
    ids: string[],
    providerIds: string[],
  ): Promise<MessageRow[]> {
    if (!ids.length && !providerIds.length) return [];
    return m.query(
      `SELECT * FROM messages WHERE id = ANY($1::uuid[]) OR (provider = $2 AND provider_message_id = ANY($3::text[]))
         OR id IN (SELECT message_id FROM message_parts WHERE provider = $2 AND provider_message_id = ANY($3::text[]))
       ORDER BY id FOR UPDATE`,
      [ids, provider, providerIds],
    );
  }

  /** The parts of a message that was sent in several (one provider id each). */
  async insertParts(m: EntityManager, parts: PartRow[]): Promise<void> {
    if (!parts.length) return;
    await m.query(
      `INSERT INTO message_parts (message_id, provider, provider_message_id, part, status, provider_status)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[])
       ON CONFLICT DO NOTHING`,
      [
        parts.map((p) => p.message_id),
        parts.map((p) => p.provider),
        parts.map((p) => p.provider_message_id),
        parts.map((p) => p.part),
        parts.map((p) => p.status),
        parts.map((p) => p.provider_status),
      ],
    );
  }

  /** The parts of these messages (the messages must be locked in `m`), in part order. */
  partsOf(m: EntityManager, messageIds: string[]): Promise<PartRow[]> {
    if (!messageIds.length) return Promise.resolve([]);
    return m.query(`SELECT * FROM message_parts WHERE message_id = ANY($1::uuid[]) ORDER BY message_id, part`, [
      messageIds,
    ]);
  }

  /** The parts of these messages, for reading (no lock). */
  partsOfMessages(messageIds: string[]): Promise<PartRow[]> {
    return this.partsOf(this.ds.manager, messageIds);
  }

  async setPartStatus(
    m: EntityManager,
    provider: string,
    providerMessageId: string,
    status: string,
    providerStatus: string,
  ): Promise<void> {
    await m.query(
      `UPDATE message_parts SET status = $3, provider_status = $4, updated_at = now() WHERE provider = $1 AND provider_message_id = $2`,
      [provider, providerMessageId, status, providerStatus],
    );
  }

  /**
   * Claims a callback's single-use token in `m` (the transaction that records its events): a concurrent
   * claim of the same token waits for this one to commit or roll back. Sweeps a few expired tokens first.
   */
  async claimCallbackToken(
    m: EntityManager,
    provider: string,
    token: string,
    bodyDigest: string,
    ttlMs: number,
  ): Promise<TokenClaim> {
    await m.query(
      `DELETE FROM callback_tokens WHERE ctid IN (
         SELECT ctid FROM callback_tokens WHERE expires_at < now() LIMIT 100 FOR UPDATE SKIP LOCKED
       )`,
    );
    // TypeORM answers an INSERT ... RETURNING with the rows
    const inserted: { token: string }[] = await m.query(
      `INSERT INTO callback_tokens (provider, token, body_digest, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000))
       ON CONFLICT (provider, token) DO UPDATE SET body_digest = EXCLUDED.body_digest, expires_at = EXCLUDED.expires_at,
         created_at = now()
         WHERE callback_tokens.expires_at < now()
       RETURNING token`,
      [provider, token, bodyDigest, ttlMs],
    );
    if (inserted.length) return 'claimed';
    const rows: { body_digest: string }[] = await m.query(
      `SELECT body_digest FROM callback_tokens WHERE provider = $1 AND token = $2`,
      [provider, token],
    );
    return rows[0]?.body_digest === bodyDigest ? 'retry' : 'conflict';
  }

  /** The newest call placed under this key that has no provider id yet: it gets this one. */
  async claimAwaitingCall(
    m: EntityManager,
    provider: string,
    correlationKey: string,
    providerMessageId: string,
  ): Promise<MessageRow | null> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected count]
    const [rows]: [MessageRow[], number] = await m.query(
      `UPDATE messages SET provider_message_id = $3, updated_at = now() WHERE id = (
         SELECT id FROM messages WHERE provider = $1 AND correlation_key = $2 AND provider_message_id IS NULL
           AND created_at > now() - interval '1 day'
         ORDER BY created_at DESC LIMIT 1 FOR UPDATE
       ) RETURNING *`,
      [provider, correlationKey, providerMessageId],
    );
    return rows[0] ?? null;
  }

  async knownEventIds(m: EntityManager, provider: string, eventIds: string[]): Promise<Set<string>> {
    if (!eventIds.length) return new Set();
    const rows: { provider_event_id: string }[] = await m.query(
      `SELECT provider_event_id FROM message_events WHERE provider = $1 AND provider_event_id = ANY($2::text[])`,
      [provider, eventIds],
    );
    return new Set(rows.map((r) => r.provider_event_id));
  }

  /** One statement for a whole batch; a concurrent duplicate is dropped by the unique index. */
  async insertEvents(m: EntityManager, events: EventRow[]): Promise<void> {
    if (!events.length) return;
    await m.query(
      `INSERT INTO message_events (message_id, provider, provider_event_id, status, provider_status, applied, details, at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::jsonb[], $8::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        events.map((e) => e.message_id),
        events.map((e) => e.provider),
        events.map((e) => e.provider_event_id),
        events.map((e) => e.status),
        events.map((e) => e.provider_status),
        events.map((e) => e.applied),
        events.map((e) => (e.details ? JSON.stringify(e.details) : null)),
        events.map((e) => e.at.toISOString()),
      ],
    );
  }

  async addSuppressions(
    m: EntityManager,
    rows: { channel: string; address: string; reason: string; provider: string; message_id: string | null }[],
  ): Promise<void> {
    for (const r of rows) {
      await m.query(
        `INSERT INTO suppressions (channel, address, reason, provider, message_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [r.channel, r.address, r.reason, r.provider, r.message_id],
      );
    }
  }

  async findMessage(id: string): Promise<MessageRow | null> {
    const rows: MessageRow[] = await this.ds.query(`SELECT * FROM messages WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  listMessages(f: MessageFilter): Promise<MessageRow[]> {
    return this.ds.query(
      `SELECT * FROM messages WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR status = $2)
         AND ($3::text IS NULL OR channel = $3) ORDER BY created_at DESC, id LIMIT $4`,
      [f.customerId ?? null, f.status ?? null, f.channel ?? null, f.limit],
    );
  }

  eventsOf(ids: string[]): Promise<EventRow[]> {
    return this.ds.query(`SELECT * FROM message_events WHERE message_id = ANY($1::uuid[]) ORDER BY id`, [ids]);
  }

  attemptsOf(ids: string[]): Promise<AttemptRow[]> {
    return this.ds.query(`SELECT * FROM message_attempts WHERE message_id = ANY($1::uuid[]) ORDER BY id`, [ids]);
  }
}
