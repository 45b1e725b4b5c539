import type { Connector, HostPolicy, ProviderManifest } from '@app/connectors';
import type { FieldError } from '@app/contracts';

/** Largest accepted credential or setting value (bytes of UTF-8). */
export const MAX_VALUE_BYTES = 8 * 1024;

/**
 * Checks credentials given on activation or rotation against the manifest: unknown fields, non-strings,
 * empty or oversized values, and (when `storedFields` is given) required fields missing after the merge.
 * Messages name the field, never the value.
 */
export function checkCredentials(
  manifest: ProviderManifest,
  given: Record<string, unknown>,
  storedFields: Set<string> | null,
): FieldError[] {
  const errors: FieldError[] = [];
  const known = new Map(manifest.credential_fields.map((f) => [f.name, f]));
  for (const [name, value] of Object.entries(given)) {
    const field = `credentials.${name}`;
    if (!known.has(name)) {
      errors.push({
        field,
        message: `is not a credential field of ${manifest.key} (expected one of: ${[...known.keys()].join(', ')})`,
      });
    } else if (typeof value !== 'string') {
      errors.push({ field, message: 'must be a string' });
    } else if (value.length === 0) {
      errors.push({ field, message: 'must not be empty' });
    } else if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      errors.push({ field, message: `must be at most ${MAX_VALUE_BYTES} bytes` });
    }
  }
  if (storedFields) {
    for (const f of manifest.credential_fields) {
      if (f.required && !(f.name in given) && !storedFields.has(f.name)) {
        errors.push({ field: `credentials.${f.name}`, message: 'is required' });
      }
    }
  }
  return errors;
}

/** A setting that holds a URL the connector calls or hands out: `base_url` and every `*_url` setting. */
export function isUrlSetting(name: string): boolean {
  return name === 'base_url' || name.endsWith('_url');
}

/**
 * Settings: the manifest's names plus `base_url`; scalar values only. A URL setting must be https on a
 * host the provider documents, or on a host in CONNECTOR_ALLOWED_HOSTS (the host policy), since the
 * connector sends the stored credentials there.
 */
export function checkSettings(
  manifest: ProviderManifest,
  given: Record<string, unknown>,
  hosts: HostPolicy,
): FieldError[] {
  const errors: FieldError[] = [];
  const allowed = new Set(['base_url', ...manifest.settings.map((s) => s.name)]);
  for (const [name, value] of Object.entries(given)) {
    const field = `settings.${name}`;
    if (!allowed.has(name)) {
      errors.push({
        field,
        message: `is not a setting of ${manifest.key} (expected one of: ${[...allowed].join(', ')})`,
      });
    } else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      errors.push({ field, message: 'must be a string, number, boolean or null' });
    } else if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      errors.push({ field, message: `must be at most ${MAX_VALUE_BYTES} bytes` });
    } else if (isUrlSetting(name) && value !== null && value !== '') {
      const refusal = typeof value === 'string' ? hosts.refusal(value, manifest.hosts) : 'must be a URL';
      if (refusal) errors.push({ field, message: refusal });
    }
  }
  return errors;
}

/**
 * Moving a provider whose secrets are stored to another origin (scheme, host or port) needs those
 * secrets again in the same request: otherwise a platform key could point the provider at its own host
 * and receive the stored secrets on the next call.
 */
export function checkOriginMove(
  manifest: ProviderManifest,
  stored: Record<string, unknown>,
  given: Record<string, unknown>,
  givenCredentials: Record<string, unknown>,
  storedCredentials: Record<string, string>,
): FieldError[] {
  const defaults = new Map(manifest.settings.map((s) => [s.name, s.default]));
  const storedCredentialFields = new Set(Object.keys(storedCredentials));
  const moves = [
    ...Object.keys(given)
      .filter(
        (name) =>
          isUrlSetting(name) &&
          originOf(given[name] ?? defaults.get(name)) !== originOf(stored[name] ?? defaults.get(name)),
      )
      .map((m) => `settings.${m}`),
    ...manifest.credential_fields
      .filter(
        (f) =>
          f.origin &&
          f.name in givenCredentials &&
          storedCredentialFields.has(f.name) &&
          givenCredentials[f.name] !== storedCredentials[f.name],
      )
      .map((f) => `credentials.${f.name}`),
  ];
  if (moves.length === 0) return [];
  const via = moves.join(', ');
  return manifest.credential_fields
    .filter((f) => f.secret && storedCredentialFields.has(f.name) && !(f.name in givenCredentials))
    .map((f) => ({
      field: `credentials.${f.name}`,
      message: `must be given again: ${via} moves ${manifest.key} to another origin`,
    }));
}

function originOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}

/** The API's rule: secret values read "****" plus at most the last 4 characters (none for short secrets). */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}

/** The port each category's services call; a connector without it cannot serve its category. */
const CATEGORY_PORT = { voip: 'voice', email: 'email', sms: 'sms', payment: 'payment', kyc: 'kyc' } as const;

/** A connector lacking its category's port is refused activation and default (400 naming `provider`). */
export function portErrors(connector: Connector): FieldError[] {
  const port = CATEGORY_PORT[connector.manifest.category];
  return connector[port]
    ? []
    : [
        {
          field: 'provider',
          message: `${connector.manifest.key} has no ${port} port in this catalog build, so it cannot serve ${connector.manifest.category}`,
        },
      ];
}
