import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import type { PaymentStatus } from '@app/contracts';
import { DATA_SOURCE } from '@app/runtime';

import { CashierSessionEntity } from './sessions.entities';

export type NewSession = Pick<
  CashierSessionEntity,
  | 'id'
  | 'gateway'
  | 'direction'
  | 'country'
  | 'customerId'
  | 'amount'
  | 'currency'
  | 'source'
  | 'failoverFrom'
  | 'sessionSecretSha256'
>;

export interface RecordedNotification {
  gateway: string;
  eventKey: string;
  sessionId: string;
  providerStatus: string;
  status: PaymentStatus | null;
  applied: boolean;
  fingerprint: string | null;
  providerTime: number | null;
}

/**
 * `fresh`: first time for this order; `repeat`: the same notification again; `edited`: the same event
 * key (for Praxis, the same signature) saying something else.
 */
export type Recorded = 'fresh' | 'repeat' | 'edited';

export interface ParkedNotification {
  gateway: string;
  sessionId: string | null;
  eventKey: string;
  reason: string;
  providerStatus: string;
  payload: unknown;
}

/** Cashier sessions, their status history, provider transactions and the notifications seen. */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** A new session in `pending`, with its first history entry. */
  async create(s: NewSession): Promise<void> {
    await this.ds.query(
      `WITH s AS (
         INSERT INTO cashier_sessions (id, gateway, direction, country, customer_id, amount, currency, status, source, failover_from, session_secret_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10) RETURNING id)
       INSERT INTO session_status_history (session_id, status, provider_status) SELECT id, 'pending', NULL FROM s`,
      [
        s.id,
        s.gateway,
        s.direction,
        s.country,
        s.customerId,
        s.amount,
        s.currency,
        s.source,
        s.failoverFrom,
        s.sessionSecretSha256,
      ],
    );
  }

  /** The session row locked for the rest of the transaction: concurrent callbacks for one order queue up. */
  lockSession(m: EntityManager, id: string): Promise<CashierSessionEntity | null> {
    return m.getRepository(CashierSessionEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findSession(id: string): Promise<CashierSessionEntity | null> {
    return this.ds.getRepository(CashierSessionEntity).findOneBy({ id });
  }

  /**
   * Records a notification once per (gateway, order, event key). The event key of one provider can
   * repeat across orders (BridgerPay's `approved:session`), so it is never global. A recorded row
   * without a fingerprint (older rows, unsigned providers) matches any repeat.
   */
  async recordNotification(m: EntityManager, n: RecordedNotification): Promise<Recorded> {
    const rows: unknown[] = await m.query(
      `INSERT INTO payment_notifications (gateway, session_id, event_key, provider_status, status, applied, fingerprint, provider_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (gateway, session_id, event_key) DO NOTHING RETURNING 1`,
      [n.gateway, n.sessionId, n.eventKey, n.providerStatus, n.status, n.applied, n.fingerprint, n.providerTime],
    );
    if (rows.length === 1) return 'fresh';
    const [seen] = await m.query<{ fingerprint: string | null }[]>(
      `SELECT fingerprint FROM payment_notifications WHERE gateway = $1 AND session_id = $2 AND event_key = $3`,
      [n.gateway, n.sessionId, n.eventKey],
    );
    return !seen?.fingerprint || !n.fingerprint || seen.fingerprint === n.fingerprint ? 'repeat' : 'edited';
  }

  /** Keeps a verified notification that is not applied where an operator sees it. */
  async park(m: EntityManager, n: ParkedNotification): Promise<void> {
    await m.query(
      `INSERT INTO parked_notifications (gateway, session_id, event_key, reason, provider_status, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
      [n.gateway, n.sessionId, n.eventKey, n.reason, n.providerStatus, JSON.stringify(n.payload)],
    );
  }

  async upsertTransaction(
    m: EntityManager,
    t: {
      gateway: string;
      providerTransactionId: string;
      sessionId: string;
      status: PaymentStatus | null;
      providerStatus: string;
      amount: string | null;
      currency: string | null;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO payment_transactions (gateway, provider_transaction_id, session_id, status, provider_status, amount, currency, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (gateway, provider_transaction_id) DO UPDATE SET status = COALESCE(EXCLUDED.status, payment_transactions.status),
         provider_status = EXCLUDED.provider_status, amount = COALESCE(EXCLUDED.amount, payment_transactions.amount),
         currency = COALESCE(EXCLUDED.currency, payment_transactions.currency), updated_at = now()`,
      [t.gateway, t.providerTransactionId, t.sessionId, t.status, t.providerStatus, t.amount, t.currency],
    );
  }

  async moveStatus(
    m: EntityManager,
    s: CashierSessionEntity,
    to: PaymentStatus,
    providerStatus: string,
    flag: string | null,
    providerTransactionId: string | null,
    providerTime: number | null,
  ): Promise<void> {
    await m.query(
      `UPDATE cashier_sessions SET status = $2, flag = COALESCE($3, flag), provider_transaction_id = COALESCE($4, provider_transaction_id),
         last_applied_provider_time = GREATEST(last_applied_provider_time, $5::bigint), updated_at = now() WHERE id = $1`,
      [s.id, to, flag, providerTransactionId, providerTime],
    );
    await m.query(
      `INSERT INTO session_status_history (session_id, status, provider_status, flag) VALUES ($1, $2, $3, $4)`,
      [s.id, to, providerStatus, flag],
    );
  }
}
