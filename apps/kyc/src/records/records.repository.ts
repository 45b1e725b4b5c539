import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

import { DATA_SOURCE } from '@app/runtime';

import { KycRecordEntity, type GateResults } from './kyc.entities';

export interface ReconcileCandidate {
  customer_id: string;
  provider: string;
  provider_id: string;
  status: string;
}

/** The one KYC record per customer; write methods take the caller's transaction manager. */
@Injectable()
export class RecordsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  find(customerId: string, m: EntityManager = this.ds.manager): Promise<KycRecordEntity | null> {
    return m.getRepository(KycRecordEntity).findOneBy({ customerId });
  }

  findByProviderId(
    provider: string,
    providerId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<KycRecordEntity | null> {
    return m.getRepository(KycRecordEntity).findOneBy({ provider, providerId });
  }

  /** Locks the record for the rest of the transaction: decisions for one customer apply one at a time. */
  lock(m: EntityManager, customerId: string): Promise<KycRecordEntity | null> {
    return m.getRepository(KycRecordEntity).findOne({ where: { customerId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Creates a pending record unless the customer has one; true when it was created. */
  async insertPending(
    m: EntityManager,
    r: {
      customerId: string;
      provider: string;
      providerId: string | null;
      verificationUrl?: string | null;
      gates: GateResults;
    },
  ): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO kyc_records (customer_id, provider, provider_id, verification_url, status, gates)
       VALUES ($1, $2, $3, $4, 'pending', $5)
       ON CONFLICT (customer_id) DO NOTHING RETURNING 1`,
      [r.customerId, r.provider, r.providerId, r.verificationUrl ?? null, JSON.stringify(r.gates)],
    );
    return rows.length === 1;
  }

  /** Points the record at the provider's applicant (a new applicant for an existing customer). */
  async linkApplicant(
    m: EntityManager,
    customerId: string,
    provider: string,
    providerId: string,
    verificationUrl: string | null = null,
  ): Promise<void> {
    await m.query(
      `UPDATE kyc_records SET provider = $2, provider_id = $3, verification_url = $4, updated_at = now()
       WHERE customer_id = $1`,
      [customerId, provider, providerId, verificationUrl],
    );
  }

  save(m: EntityManager, r: KycRecordEntity): Promise<KycRecordEntity> {
    r.updatedAt = new Date();
    return m.getRepository(KycRecordEntity).save(r);
  }

  /**
   * Claims records awaiting a decision for longer than `ageMs` that were not polled within `ageMs`
   * either; the claim (reconciled_at) is committed at once, so replicas never poll the same applicant.
   */
  async claimAwaitingDecision(ageMs: number, limit: number): Promise<ReconcileCandidate[]> {
    // TypeORM answers an UPDATE with [rows, affected]
    const [rows]: [ReconcileCandidate[], number] = await this.ds.query(
      `UPDATE kyc_records SET reconciled_at = now() WHERE customer_id IN (
         SELECT customer_id FROM kyc_records
         WHERE status IN ('pending', 'on_hold') AND provider_id IS NOT NULL
           AND updated_at < now() - ($1::bigint * interval '1 millisecond')
           AND (reconciled_at IS NULL OR reconciled_at < now() - ($1::bigint * interval '1 millisecond'))
         ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING customer_id, provider, provider_id, status`,
      [ageMs, limit],
    );
    return rows;
  }
}
