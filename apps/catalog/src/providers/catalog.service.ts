import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import {
  connectorHostPolicy,
  ConnectorRegistry,
  ProviderHealthBoard,
  toDomainError,
  type Connector,
  type ConnectorConfig,
} from '@app/connectors';
import {
  ActivateProviderRequest,
  DomainError,
  ErrorCode,
  eventSubjects,
  PROVIDER_CATEGORIES,
  UpdateCredentialsRequest,
  type CategoryView,
  type ProviderChangedEvent,
  type ProviderConfigView,
  type ProviderView,
} from '@app/contracts';
import { AuditLog, OutboxWriter } from '@app/messaging';
import { validRequest } from '@app/runtime';
import { Vault } from '@app/vault';

import { CatalogErrors } from '../catalog.errors';
import type { ProviderEntity } from './catalog.entities';
import { checkCredentials, checkOriginMove, checkSettings, maskSecret, portErrors } from './credentials.policy';
import { ProvidersRepository } from './providers.repository';

type Action = ProviderChangedEvent['action'];

/** The catalog: activation, credentials (sealed by the vault), defaults per category, the audit trail. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly repo: ProvidersRepository,
    private readonly registry: ConnectorRegistry,
    private readonly vault: Vault,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
    private readonly health: ProviderHealthBoard,
  ) {}

  async list(category?: string): Promise<ProviderView[]> {
    if (category !== undefined) this.assertCategory(category);
    const [rows, defaults] = await Promise.all([this.repo.listProviders(category), this.repo.defaults()]);
    const defaultSet = new Set(defaults.map((d) => d.providerKey));
    return Promise.all(rows.filter((r) => this.registry.get(r.key)).map((r) => this.view(r, defaultSet.has(r.key))));
  }

  async get(key: string): Promise<ProviderView> {
    const row = await this.mustFind(key);
    return this.view(row, (await this.repo.defaultOf(row.category)) === key);
  }

  async activate(raw: unknown): Promise<ProviderView> {
    const connector = this.connector(keyOf(raw));
    const key = connector.manifest.key;
    const [stored, current] = await Promise.all([this.decrypted(key), this.mustFind(key)]);
    // the message's own rules and the manifest's in one pass: one 400 lists every invalid field
    const req = validRequest(ActivateProviderRequest, raw, (r, invalid) => [
      ...(invalid.has('credentials')
        ? []
        : checkCredentials(connector.manifest, r.credentials ?? {}, new Set(Object.keys(stored)))),
      ...(invalid.has('settings') ? [] : checkSettings(connector.manifest, r.settings ?? {}, connectorHostPolicy())),
      ...(invalid.has('settings') || invalid.has('credentials')
        ? []
        : checkOriginMove(connector.manifest, current.settings, r.settings ?? {}, r.credentials ?? {}, stored)),
      ...portErrors(connector),
    ]);
    const given = req.credentials ?? {};
    const settings = req.settings ?? {};
    if (req.verify)
      await this.verify(
        connector,
        { ...stored, ...(given as Record<string, string>) },
        { ...current.settings, ...settings },
        key,
      );

    const row = await this.repo.transaction(async (m) => {
      const p = await this.lock(m, key);
      await this.seal(m, key, given as Record<string, string>);
      const wasActive = p.status === 'active';
      p.status = 'active';
      p.activatedAt = wasActive ? p.activatedAt : new Date();
      p.settings = { ...p.settings, ...settings };
      const saved = await this.touch(m, p);
      const current = await this.repo.defaultOf(p.category, m);
      const currentActive = current ? (await this.repo.findProvider(current, m))?.status === 'active' : false;
      if (req.make_default || !currentActive) await this.repo.setDefault(m, p.category, p.key);
      await this.record(m, saved, 'activated', [
        ...Object.keys(given),
        ...Object.keys(settings),
        ...(req.make_default ? ['make_default'] : []),
      ]);
      return saved;
    });
    return this.get(row.key);
  }

  async updateCredentials(raw: unknown): Promise<ProviderView> {
    const connector = this.connector(keyOf(raw));
    const key = connector.manifest.key;
    const stored = await this.decrypted(key);
    const req = validRequest(UpdateCredentialsRequest, raw, (r, invalid) => {
      if (invalid.has('credentials')) return [];
      const errors = [
        ...checkCredentials(connector.manifest, r.credentials, null),
        ...checkOriginMove(connector.manifest, {}, {}, r.credentials, stored),
      ];
      if (Object.keys(r.credentials).length === 0)
        errors.push({ field: 'credentials', message: 'must name at least one field' });
      return errors;
    });
    if (req.verify) {
      const row = await this.mustFind(key);
      await this.verify(connector, { ...stored, ...(req.credentials as Record<string, string>) }, row.settings, key);
    }
    await this.repo.transaction(async (m) => {
      const p = await this.lock(m, key);
      await this.seal(m, key, req.credentials as Record<string, string>);
      const saved = await this.touch(m, p);
      await this.record(m, saved, 'credentials_updated', Object.keys(req.credentials));
    });
    return this.get(key);
  }

  async deactivate(key: string): Promise<ProviderView> {
    this.connector(key);
    await this.repo.transaction(async (m) => {
      const p = await this.lock(m, key);
      p.status = 'inactive';
      const saved = await this.touch(m, p);
      if ((await this.repo.defaultOf(p.category, m)) === key) {
        const next = (await this.repo.activeKeys(p.category, m))[0] ?? null;
        await this.repo.setDefault(m, p.category, next);
      }
      await this.record(m, saved, 'deactivated');
    });
    return this.get(key);
  }

  async test(key: string): Promise<{ ok: true }> {
    const connector = this.connector(key);
    const row = await this.mustFind(key);
    const credentials = await this.decrypted(key);
    const missing = connector.manifest.credential_fields
      .filter((f) => f.required && !credentials[f.name])
      .map((f) => f.name);
    if (missing.length) throw CatalogErrors.notConfigured(key, missing);
    try {
      await this.verify(connector, credentials, row.settings, key);
    } catch (err) {
      // the test answers 200 or 422; a stored configuration that cannot work is a refusal too
      if (err instanceof DomainError && err.code === ErrorCode.Conflict)
        throw new DomainError(ErrorCode.ProviderRefused, err.message);
      throw err;
    }
    return { ok: true };
  }

  async categories(): Promise<CategoryView[]> {
    const [rows, defaults] = await Promise.all([this.repo.listProviders(), this.repo.defaults()]);
    const byCategory = new Map(defaults.map((d) => [d.category, d.providerKey]));
    return PROVIDER_CATEGORIES.map((category) => ({
      category,
      default_provider: byCategory.get(category) ?? null,
      active_providers: rows.filter((r) => r.category === category && r.status === 'active').map((r) => r.key),
    }));
  }

  async setDefault(category: string, key: string): Promise<CategoryView> {
    this.assertCategory(category);
    const connector = this.connector(key);
    await this.repo.transaction(async (m) => {
      const p = await this.lock(m, key);
      if (p.category !== category) throw CatalogErrors.wrongCategory(key, category);
      const missingPort = portErrors(connector);
      if (missingPort.length) throw CatalogErrors.invalid(missingPort);
      if (p.status !== 'active') throw CatalogErrors.inactive(key);
      await this.repo.setDefault(m, category, key);
      const saved = await this.touch(m, p);
      await this.record(m, saved, 'default_changed', ['default_provider']);
    });
    return (await this.categories()).find((c) => c.category === category)!;
  }

  /** Decrypted configuration, for services (never routed by the gateway). */
  async config(key: string): Promise<ProviderConfigView> {
    const row = await this.mustFind(key);
    return {
      key,
      category: row.category as ProviderConfigView['category'],
      status: row.status,
      is_default: (await this.repo.defaultOf(row.category)) === key,
      credentials: await this.decrypted(key),
      settings: this.settingsWithDefaults(row),
      version: row.version,
    };
  }

  async resolve(category: string, provider?: string): Promise<ProviderConfigView> {
    this.assertCategory(category);
    const key = provider ?? (await this.repo.defaultOf(category));
    if (!key) throw CatalogErrors.noneActive(category);
    const cfg = await this.config(key);
    if (cfg.category !== category) throw CatalogErrors.wrongCategory(key, category);
    if (cfg.status !== 'active') throw provider ? CatalogErrors.inactive(key) : CatalogErrors.noneActive(category);
    return cfg;
  }

  private async verify(
    connector: Connector,
    credentials: Record<string, string>,
    settings: Record<string, unknown>,
    key: string,
  ) {
    const config: ConnectorConfig = { credentials, settings: { ...this.declaredDefaults(connector), ...settings } };
    try {
      await connector.test(config);
    } catch (err) {
      throw toDomainError(key, err);
    }
  }

  private async view(row: ProviderEntity, isDefault: boolean): Promise<ProviderView> {
    const { manifest } = this.connector(row.key);
    const values = await this.decrypted(row.key);
    const credentials: Record<string, string> = {};
    for (const f of manifest.credential_fields) {
      if (values[f.name] !== undefined) credentials[f.name] = f.secret ? maskSecret(values[f.name]) : values[f.name];
    }
    return {
      key: row.key,
      name: manifest.name,
      category: manifest.category,
      status: row.status,
      is_default: isDefault,
      credential_fields: manifest.credential_fields.map(({ name, label, secret, required }) => ({
        name,
        label,
        secret,
        required,
      })),
      setting_fields: [
        { name: 'base_url', label: 'Base URL', default: null },
        ...manifest.settings
          .filter((s) => s.name !== 'base_url')
          .map(({ name, label, default: fallback }) => ({ name, label, default: fallback ?? null })),
      ],
      credentials,
      settings: this.settingsWithDefaults(row),
      activated_at: row.activatedAt?.toISOString() ?? null,
      updated_at: row.updatedAt.toISOString(),
      health: this.health.health(row.key),
    };
  }

  private settingsWithDefaults(row: ProviderEntity): Record<string, unknown> {
    return { ...this.declaredDefaults(this.connector(row.key)), ...row.settings };
  }

  private declaredDefaults(connector: Connector): Record<string, unknown> {
    return Object.fromEntries(
      connector.manifest.settings.filter((s) => s.default !== undefined).map((s) => [s.name, s.default]),
    );
  }

  private async decrypted(key: string, m?: EntityManager): Promise<Record<string, string>> {
    const rows = await this.repo.credentials(key, m);
    return Object.fromEntries(
      rows.map((r) => [r.field, this.vault.decrypt(r.sealed, { recordId: key, field: r.field })]),
    );
  }

  private async seal(m: EntityManager, key: string, values: Record<string, string>): Promise<void> {
    for (const [field, value] of Object.entries(values)) {
      const sealed = this.vault.encrypt(value, { recordId: key, field });
      await this.repo.upsertCredential(m, key, field, sealed, this.vault.keyIdOf(sealed));
    }
  }

  private async touch(m: EntityManager, p: ProviderEntity): Promise<ProviderEntity> {
    p.version += 1;
    p.updatedAt = new Date();
    return this.repo.saveProvider(m, p);
  }

  /** The audit row and the change event, in the transaction of the change. */
  private async record(m: EntityManager, p: ProviderEntity, action: Action, fields: string[] = []) {
    await this.audit.record(m, { action, target: p.key, fields });
    const event: ProviderChangedEvent = {
      key: p.key,
      category: p.category as ProviderChangedEvent['category'],
      action,
      status: p.status,
      default_provider: await this.repo.defaultOf(p.category, m),
      version: p.version,
      at: p.updatedAt.toISOString(),
    };
    await this.outbox.add(m, eventSubjects.catalogProviderChanged, event);
  }

  private async mustFind(key: string): Promise<ProviderEntity> {
    const row = this.registry.get(key) ? await this.repo.findProvider(key) : null;
    if (!row) throw CatalogErrors.unknownProvider(key);
    return row;
  }

  private async lock(m: EntityManager, key: string): Promise<ProviderEntity> {
    const row = await this.repo.lockProvider(m, key);
    if (!row) throw CatalogErrors.unknownProvider(key);
    return row;
  }

  private connector(key: string): Connector {
    const c = this.registry.get(key);
    if (!c) throw CatalogErrors.unknownProvider(key);
    return c;
  }

  private assertCategory(category: string): void {
    if (!(PROVIDER_CATEGORIES as readonly string[]).includes(category)) throw CatalogErrors.unknownCategory(category);
  }
}

/** The provider key of a raw request (unknown keys are a 404 from connector(), not a 400). */
function keyOf(raw: unknown): string {
  const key = (raw as { key?: unknown } | null)?.key;
  return typeof key === 'string' ? key : '';
}
