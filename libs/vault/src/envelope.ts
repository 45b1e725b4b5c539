import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { VaultDecryptError } from './errors';
import { KEY_ID_PATTERN, type KeyRing, type MasterKey } from './key-ring';

/** Binds a sealed value to where it is stored, so it cannot be copied to another record or field. */
export interface VaultAad {
  recordId: string;
  field: string;
}

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

interface Sealed {
  keyId: string;
  wrapIv: Buffer;
  wrappedKey: Buffer; // data key ciphertext followed by its GCM tag
  iv: Buffer;
  ciphertext: Buffer; // value ciphertext followed by its GCM tag
}

/**
 * Envelope encryption: each value gets its own random data key, and only that data key is encrypted
 * ("wrapped") with the master key. Rotating the master key therefore re-encrypts 48 bytes per record
 * and never needs the plaintext.
 *
 * Serialized as `v1.<keyId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>` (base64url parts), a
 * single ASCII string for a text column; the key id tells decrypt which master key to use.
 */
export class Vault {
  constructor(private readonly ring: KeyRing) {}

  /** The id of the master key new records are sealed with. */
  get currentKeyId(): string {
    return this.ring.current.id;
  }

  encrypt(plaintext: string, aad: VaultAad): string {
    const dataKey = randomBytes(KEY_BYTES);
    try {
      const iv = randomBytes(IV_BYTES);
      const ciphertext = gcmSeal(dataKey, iv, Buffer.from(plaintext, 'utf8'), aadBytes('value', aad));
      return serialize({ ...this.wrap(dataKey, aad), iv, ciphertext });
    } finally {
      dataKey.fill(0);
    }
  }

  decrypt(sealed: string, aad: VaultAad): string {
    const parts = parse(sealed, aad);
    const dataKey = this.unwrap(parts, aad);
    try {
      const plaintext = gcmOpen(dataKey, parts.iv, parts.ciphertext, aadBytes('value', aad));
      if (!plaintext)
        throw failure(aad, 'the value failed authentication (tampered, or sealed for another record or field)');
      return plaintext.toString('utf8');
    } finally {
      dataKey.fill(0);
    }
  }

  keyIdOf(sealed: string): string {
    return parse(sealed).keyId;
  }

  /** True when the value is sealed under an older master key and the re-wrap command should move it. */
  needsRewrap(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.ring.current.id;
  }

  /**
   * Re-wraps the data key under the current master key; the value ciphertext is kept as is, so the
   * plaintext is never materialized. Already-current values come back unchanged (callers can skip the
   * write); the wrapped key is still authenticated so a damaged record is reported, not carried over.
   */
  rewrap(sealed: string, aad: VaultAad): string {
    const parts = parse(sealed, aad);
    const dataKey = this.unwrap(parts, aad);
    try {
      if (parts.keyId === this.ring.current.id) return sealed;
      return serialize({ ...parts, ...this.wrap(dataKey, aad) });
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(dataKey: Buffer, aad: VaultAad): Pick<Sealed, 'keyId' | 'wrapIv' | 'wrappedKey'> {
    const master: MasterKey = this.ring.current;
    const wrapIv = randomBytes(IV_BYTES);
    return { keyId: master.id, wrapIv, wrappedKey: gcmSeal(master.key, wrapIv, dataKey, aadBytes('key', aad)) };
  }

  private unwrap(parts: Sealed, aad: VaultAad): Buffer {
    const master = this.ring.get(parts.keyId);
    if (!master)
      throw failure(aad, `it is sealed under master key "${parts.keyId}", which is not in VAULT_MASTER_KEYS`);
    const dataKey = gcmOpen(master.key, parts.wrapIv, parts.wrappedKey, aadBytes('key', aad));
    if (!dataKey) {
      throw failure(
        aad,
        `the data key failed authentication under master key "${parts.keyId}" (tampered, wrong key material, or sealed for another record or field)`,
      );
    }
    return dataKey;
  }
}

/**
 * The purpose label keeps the wrapped key and the value from ever being valid in each other's place.
 * NUL is refused in ids and field names so that ("a\0b", "c") and ("a", "b\0c") cannot collide.
 */
function aadBytes(purpose: 'key' | 'value', aad: VaultAad): Buffer {
  for (const [name, part] of [
    ['recordId', aad.recordId],
    ['field', aad.field],
  ] as const) {
    if (typeof part !== 'string' || part === '' || part.includes('\u0000')) {
      throw new TypeError(`vault aad.${name} must be a non-empty string without NUL characters`);
    }
  }
  return Buffer.from(`${VERSION}\u0000${purpose}\u0000${aad.recordId}\u0000${aad.field}`, 'utf8');
}

function gcmSeal(key: Buffer, iv: Buffer, data: Buffer, aad: Buffer): Buffer {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
}

/** Undefined when authentication fails; node's own error text is dropped in favour of ours. */
function gcmOpen(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function serialize(s: Sealed): string {
  return [VERSION, s.keyId, s.wrapIv, s.wrappedKey, s.iv, s.ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

function parse(sealed: string, aad?: VaultAad): Sealed {
  const malformed = (why: string): VaultDecryptError =>
    aad
      ? failure(aad, `the sealed value is malformed (${why})`)
      : new VaultDecryptError(`Cannot read sealed value: it is malformed (${why})`);
  if (typeof sealed !== 'string') throw malformed('not a string');
  const parts = sealed.split('.');
  if (parts.length !== 6) throw malformed(`expected 6 dot-separated parts, found ${parts.length}`);
  const [version, keyId, wrapIv, wrappedKey, iv, ciphertext] = parts;
  if (version !== VERSION) throw malformed('unknown format version');
  if (!KEY_ID_PATTERN.test(keyId)) throw malformed('invalid key id');
  const decoded = {
    wrapIv: decode(wrapIv, IV_BYTES, IV_BYTES),
    wrappedKey: decode(wrappedKey, KEY_BYTES + TAG_BYTES, KEY_BYTES + TAG_BYTES),
    iv: decode(iv, IV_BYTES, IV_BYTES),
    ciphertext: decode(ciphertext, TAG_BYTES, Infinity),
  };
  for (const [name, value] of Object.entries(decoded)) {
    if (!value) throw malformed(`bad ${name} part`);
  }
  return { keyId, ...(decoded as Omit<Sealed, 'keyId'>) };
}

/**
 * Strict base64url: the string must be the canonical encoding of its bytes, so every change to the
 * stored text changes the bytes (Buffer.from alone ignores junk and stray trailing bits).
 */
function decode(part: string, min: number, max: number): Buffer | undefined {
  if (!B64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part || bytes.length < min || bytes.length > max) return undefined;
  return bytes;
}

function failure(aad: VaultAad, why: string): VaultDecryptError {
  return new VaultDecryptError(`Cannot decrypt field "${aad.field}" of record "${aad.recordId}": ${why}`);
}
