import { Inject, Injectable } from '@nestjs/common';

import { SsrfGuard, SsrfRefusedError } from '@app/connectors';
import type {
  AffiliatePageReply,
  AffiliateView,
  FieldError,
  ListAffiliatesRequest,
  UpsertAffiliateRequest,
} from '@app/contracts';
import { AuditLog } from '@app/messaging';
import { SERVICE_CONFIG } from '@app/runtime';
import { Vault } from '@app/vault';

import type { AffiliatesConfig } from '../affiliates.config';
import { AffiliateErrors } from '../affiliates.errors';
import { AffiliatesRepository, type AffiliateRow } from './affiliates.repository';
import { maskSecret, secretAad } from './secret';

export const DEFAULT_MAX_BATCH = 100;

/** Affiliate registration: the webhook URL through the SSRF guard, the secret sealed, rotation overlap. */
@Injectable()
export class AffiliatesService {
  constructor(
    private readonly repo: AffiliatesRepository,
    private readonly vault: Vault,
    private readonly guard: SsrfGuard,
    private readonly audit: AuditLog,
    @Inject(SERVICE_CONFIG) private readonly config: AffiliatesConfig,
  ) {}

  async get(id: string): Promise<AffiliateView> {
    const row = await this.repo.find(id);
    if (!row) throw AffiliateErrors.unknownAffiliate(id);
    return toView(row);
  }

  /** One page in affiliate id order, and its last id when more follow (the gateway makes it a cursor). */
  async list(req: ListAffiliatesRequest): Promise<AffiliatePageReply> {
    const rows = await this.repo.page(req.limit + 1, req.after_id);
    const page = rows.slice(0, req.limit);
    const more = rows.length > req.limit;
    return { affiliates: page.map(toView), next_after_id: more ? page[page.length - 1].id : null };
  }

  async upsert(req: UpsertAffiliateRequest): Promise<AffiliateView> {
    const errors: FieldError[] = [];
    if (req.webhook_url !== undefined) await this.checkUrl(req.webhook_url, errors);
    const saved = await this.repo.transaction(async (m) => {
      const current = await this.repo.lock(m, req.affiliate_id);
      if (!current) {
        for (const f of ['name', 'webhook_url', 'secret'] as const) {
          if (req[f] === undefined) errors.push({ field: f, message: `${f} is required when creating an affiliate` });
        }
      }
      if (errors.length) throw AffiliateErrors.invalid(errors);
      const id = req.affiliate_id;
      let secretSealed = current?.secret_sealed ?? '';
      let previousSealed = current?.previous_secret_sealed ?? null;
      let previousUntil = current?.previous_secret_until ?? null;
      let hint = current?.secret_hint ?? '';
      if (req.secret !== undefined) {
        const old = current ? this.vault.decrypt(current.secret_sealed, secretAad(id, 'secret')) : null;
        if (old !== req.secret) {
          if (old !== null && this.config.AFFILIATE_SECRET_OVERLAP_MS > 0) {
            previousSealed = this.vault.encrypt(old, secretAad(id, 'previous_secret'));
            previousUntil = new Date(Date.now() + this.config.AFFILIATE_SECRET_OVERLAP_MS);
          }
          secretSealed = this.vault.encrypt(req.secret, secretAad(id, 'secret'));
          hint = maskSecret(req.secret);
        }
      }
      const isActive = req.is_active ?? current?.is_active ?? true;
      const reactivated = isActive && current !== null && !current.is_active;
      await this.audit.record(m, {
        action: current ? 'affiliate_updated' : 'affiliate_created',
        target: id,
        fields: Object.keys(req).filter((k) => k !== 'affiliate_id' && req[k as keyof typeof req] !== undefined),
      });
      return this.repo.save(m, {
        id,
        name: req.name ?? current!.name,
        webhook_url: req.webhook_url ?? current!.webhook_url,
        secret_sealed: secretSealed,
        secret_hint: hint,
        previous_secret_sealed: previousSealed,
        previous_secret_until: previousUntil,
        is_active: isActive,
        max_batch_size: req.max_batch_size ?? current?.max_batch_size ?? DEFAULT_MAX_BATCH,
        disabled_reason: isActive ? null : reactivated ? null : (current?.disabled_reason ?? 'disabled by an operator'),
        disabled_at: isActive ? null : (current?.disabled_at ?? new Date()),
      });
    });
    return toView(saved);
  }

  private async checkUrl(url: string, errors: FieldError[]): Promise<void> {
    try {
      await this.guard.check(url);
    } catch (err) {
      if (!(err instanceof SsrfRefusedError)) throw err;
      errors.push({ field: 'webhook_url', message: `webhook_url ${err.message}` });
    }
  }
}

function toView(r: AffiliateRow): AffiliateView {
  const overlap =
    r.previous_secret_until && r.previous_secret_until.getTime() > Date.now()
      ? r.previous_secret_until.toISOString()
      : null;
  return {
    affiliate_id: r.id,
    name: r.name,
    webhook_url: r.webhook_url,
    secret: r.secret_hint,
    is_active: r.is_active,
    max_batch_size: r.max_batch_size,
    disabled_reason: r.disabled_reason,
    disabled_at: r.disabled_at?.toISOString() ?? null,
    previous_secret_valid_until: overlap,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}
