import { randomBytes } from 'node:crypto';

import { Vault, type VaultAad } from './envelope';
import { VaultDecryptError } from './errors';
import { KeyRing } from './key-ring';

const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const aad: VaultAad = { recordId: 'twilio_sms', field: 'auth_token' };
const SECRET = 'sk_test_Secret-Value-4242 ✓';

const vault = new Vault(KeyRing.fromEnv(k1));

/** Flips one bit of one byte inside a base64url part of the sealed string. */
function tamper(sealed: string, partIndex: number, byteIndex = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[partIndex], 'base64url');
  bytes[byteIndex] ^= 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

function decryptError(fn: () => unknown): VaultDecryptError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VaultDecryptError);
    const e = err as VaultDecryptError;
    expect(e.message).not.toContain(SECRET);
    expect(e.message).not.toContain(k1.slice(3));
    expect(e.message).not.toContain(k2.slice(3));
    return e;
  }
  throw new Error('expected a VaultDecryptError');
}

describe('Vault', () => {
  it('round-trips, with a fresh data key and IV per record', () => {
    const a = vault.encrypt(SECRET, aad);
    const b = vault.encrypt(SECRET, aad);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain(SECRET);
    expect(vault.decrypt(a, aad)).toBe(SECRET);
    expect(vault.decrypt(b, aad)).toBe(SECRET);
    expect(vault.decrypt(vault.encrypt('', aad), aad)).toBe('');
  });

  it('fails when one byte of the value ciphertext is changed', () => {
    const sealed = vault.encrypt(SECRET, aad);
    decryptError(() => vault.decrypt(tamper(sealed, 5, 0), aad));
    // The last byte belongs to the GCM tag.
    const last = Buffer.from(sealed.split('.')[5], 'base64url').length - 1;
    decryptError(() => vault.decrypt(tamper(sealed, 5, last), aad));
  });

  it.each([2, 3, 4])('fails when one byte of part %i (IVs, wrapped key) is changed', (part) => {
    decryptError(() => vault.decrypt(tamper(vault.encrypt(SECRET, aad), part), aad));
  });

  it('fails when the stored text is altered without changing the decoded bytes (non-canonical base64)', () => {
    // 'x' + 16-byte tag = 17 bytes = 23 chars, so the last char carries 2 unused bits.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const parts = vault.encrypt('x', aad).split('.');
    const last = parts[5].at(-1) as string;
    const variant = `${parts[5].slice(0, -1)}${ALPHABET[ALPHABET.indexOf(last) ^ 1]}`;
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(parts[5], 'base64url'))).toBe(true);
    parts[5] = variant;
    expect(decryptError(() => vault.decrypt(parts.join('.'), aad)).message).toContain('malformed');
  });

  it('fails when moved to another record or another field', () => {
    const sealed = vault.encrypt(SECRET, aad);
    const moved = decryptError(() => vault.decrypt(sealed, { ...aad, recordId: 'sendgrid' }));
    expect(moved.message).toContain('record "sendgrid"');
    decryptError(() => vault.decrypt(sealed, { ...aad, field: 'account_sid' }));
  });

  it("fails when the value is spliced under another record's wrapped key", () => {
    const mine = vault.encrypt(SECRET, aad).split('.');
    const theirs = vault.encrypt('other', aad).split('.');
    decryptError(() => vault.decrypt([...theirs.slice(0, 4), ...mine.slice(4)].join('.'), aad));
  });

  it('fails on an unknown key id, naming it', () => {
    const sealed = new Vault(KeyRing.fromEnv(k2)).encrypt(SECRET, aad);
    expect(decryptError(() => vault.decrypt(sealed, aad)).message).toContain('"k2", which is not in VAULT_MASTER_KEYS');
  });

  it('fails when the key id is relabelled to another key the ring holds', () => {
    const both = new Vault(KeyRing.fromEnv(`${k1},${k2}`));
    const relabelled = both.encrypt(SECRET, aad).replace(/^v1\.k1\./, 'v1.k2.');
    decryptError(() => both.decrypt(relabelled, aad));
  });

  it.each(['', 'garbage', 'v2.k1.a.b.c.d', 'v1.k1.a.b.c', 'v1.bad!id.AAAA.AAAA.AAAA.AAAA'])(
    'rejects malformed input %p',
    (sealed) => {
      decryptError(() => vault.decrypt(sealed, aad));
      decryptError(() => vault.keyIdOf(sealed));
    },
  );

  it('refuses an empty or NUL-containing record id or field', () => {
    expect(() => vault.encrypt(SECRET, { recordId: '', field: 'f' })).toThrow(TypeError);
    expect(() => vault.encrypt(SECRET, { recordId: 'a\u0000b', field: 'f' })).toThrow(TypeError);
    expect(() => vault.encrypt(SECRET, { recordId: 'r', field: '' })).toThrow(TypeError);
  });

  describe('rotation', () => {
    const oldVault = new Vault(KeyRing.fromEnv(k1));
    const rotated = new Vault(KeyRing.fromEnv(`${k2},${k1}`));
    const k2Only = new Vault(KeyRing.fromEnv(k2));
    const records = ['one', 'two', 'three'].map((recordId) => {
      const recordAad = { recordId, field: 'api_key' };
      return {
        aad: recordAad,
        plaintext: `secret-${recordId}`,
        sealed: oldVault.encrypt(`secret-${recordId}`, recordAad),
      };
    });

    it('keeps records sealed under the old key readable and flags them for re-wrap', () => {
      for (const r of records) {
        expect(rotated.keyIdOf(r.sealed)).toBe('k1');
        expect(rotated.needsRewrap(r.sealed)).toBe(true);
        expect(rotated.decrypt(r.sealed, r.aad)).toBe(r.plaintext);
      }
    });

    it('seals new records under the first key', () => {
      const sealed = rotated.encrypt(SECRET, aad);
      expect(rotated.keyIdOf(sealed)).toBe('k2');
      expect(rotated.needsRewrap(sealed)).toBe(false);
      expect(rotated.rewrap(sealed, aad)).toBe(sealed);
    });

    it('re-wraps onto the newest key, after which the old key is no longer needed', () => {
      for (const r of records) {
        const rewrapped = rotated.rewrap(r.sealed, r.aad);
        expect(rotated.keyIdOf(rewrapped)).toBe('k2');
        expect(rotated.needsRewrap(rewrapped)).toBe(false);
        expect(rewrapped.split('.')[5]).toBe(r.sealed.split('.')[5]);
        expect(rotated.decrypt(rewrapped, r.aad)).toBe(r.plaintext);
        expect(k2Only.decrypt(rewrapped, r.aad)).toBe(r.plaintext);
        decryptError(() => k2Only.decrypt(r.sealed, r.aad));
      }
    });

    it('refuses to re-wrap a tampered record or one bound elsewhere', () => {
      const r = records[0];
      decryptError(() => rotated.rewrap(tamper(r.sealed, 3), r.aad));
      decryptError(() => rotated.rewrap(r.sealed, { ...r.aad, recordId: 'two' }));
    });
  });
});
