import type { FieldError } from '@app/contracts';
import type { ProviderManifest } from '@app/connectors';

/** Largest accepted credential or setting value (bytes of UTF-8). */
export const MAX_VALUE_BYTES = 8 * 1024;

/**
 * Checks credentials given on activation or rotation against the manifest: unknown fields, non-strings,
 * empty or oversized values, and (when `storedFields` is given) required fields missing after the merge.
 * Messages name the field, never the value.
 */
export function checkCredentials(
  manifest: ProviderManifest, given: Record<string, unknown>, storedFields: Set<string> | null,
): FieldError[] {
  const errors: FieldError[] = [];
  const known = new Map(manifest.credential_fields.map((f) => [f.name, f]));
  for (const [name, value] of Object.entries(given)) {
    const field = `credentials.${name}`;
    if (!known.has(name)) {
      errors.push({ field, message: `is not a credential field of ${manifest.key} (expected one of: ${[...known.keys()].join(', ')})` });
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

/** Settings: the manifest's names plus `base_url` (an http(s) URL); scalar values only. */
export function checkSettings(manifest: ProviderManifest, given: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const allowed = new Set(['base_url', ...manifest.settings.map((s) => s.name)]);
  for (const [name, value] of Object.entries(given)) {
    const field = `settings.${name}`;
    if (!allowed.has(name)) {
      errors.push({ field, message: `is not a setting of ${manifest.key} (expected one of: ${[...allowed].join(', ')})` });
    } else if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      errors.push({ field, message: 'must be a string, number, boolean or null' });
    } else if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      errors.push({ field, message: `must be at most ${MAX_VALUE_BYTES} bytes` });
    } else if (name === 'base_url' && value !== null && !isHttpUrl(value)) {
      errors.push({ field, message: 'must be an http(s) URL' });
    }
  }
  return errors;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** API.md: secret values read "****" plus at most the last 4 characters (none for short secrets). */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}
