import type { DataSource, EntityManager } from 'typeorm';

import type { AuditEntry, ServiceName } from '@app/contracts';
import { currentContext } from '@app/observability';

/** A configuration change as its service records it: the names of the fields it set, never their values. */
export interface AuditChange {
  action: string;
  target: string;
  fields?: readonly string[];
}

/**
 * The audit trail of one service, in the audit_trail of its own schema (AuditTrailTable1767000000000). A change
 * is recorded with the manager of its own transaction; the actor is the platform key of the request.
 */
export class AuditLog {
  constructor(
    private readonly ds: DataSource,
    private readonly service: ServiceName,
  ) {}

  async record(m: EntityManager, change: AuditChange): Promise<void> {
    const ctx = currentContext();
    await m.query(`INSERT INTO audit_trail (actor, scope, action, target, fields) VALUES ($1, $2, $3, $4, $5)`, [
      ctx?.actor ?? 'system',
      ctx?.scope ?? 'admin',
      change.action,
      change.target,
      [...(change.fields ?? [])].sort(),
    ]);
  }

  /**
   * The oldest `limit` changes at or after `since`; with `after_service` and `after_id` too, only those after
   * that position in the gateway's (at, service, id) order, so a page may end inside one millisecond.
   */
  async list(q: {
    since?: string;
    limit: number;
    after_service?: string;
    after_id?: string;
  }): Promise<{ entries: AuditEntry[] }> {
    const after = q.since && q.after_service && q.after_id ? { service: q.after_service, id: q.after_id } : null;
    const rows: {
      id: string;
      at: Date;
      actor: string;
      scope: string;
      action: string;
      target: string;
      fields: string[];
    }[] = await this.ds.query(
      `SELECT id::text AS id, at, actor, scope, action, target, fields FROM audit_trail
         WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz)
           AND ($3::text IS NULL OR at > $1::timestamptz OR $5::text > $3::text OR ($5::text = $3::text AND id > $4::bigint))
         ORDER BY at, id LIMIT $2`,
      [q.since ?? null, q.limit, after?.service ?? null, after?.id ?? null, this.service],
    );
    return { entries: rows.map((r) => ({ ...r, service: this.service, at: r.at.toISOString() })) };
  }
}
