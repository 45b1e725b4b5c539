import type { Vault } from '@app/vault';

/** The API's rule: secret values read "****" plus at most the last 4 characters (none for short secrets). */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}

/** The vault's additional data binds a sealed secret to its affiliate and slot (current or previous). */
export const secretAad = (affiliateId: string, slot: 'secret' | 'previous_secret') => ({
  recordId: affiliateId,
  field: slot,
});

export interface SealedSecrets {
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretUntil: Date | null;
}

/** The secrets that sign now: the current one, and the previous one while its overlap lasts. */
export function signingSecrets(vault: Vault, affiliateId: string, s: SealedSecrets, now = Date.now()): string[] {
  const secrets = [vault.decrypt(s.secretSealed, secretAad(affiliateId, 'secret'))];
  if (s.previousSecretSealed && s.previousSecretUntil && s.previousSecretUntil.getTime() > now) {
    secrets.push(vault.decrypt(s.previousSecretSealed, secretAad(affiliateId, 'previous_secret')));
  }
  return secrets;
}
