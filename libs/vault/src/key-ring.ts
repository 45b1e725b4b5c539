import { inspect } from 'node:util';

import { VaultConfigError } from './errors';

export const MASTER_KEYS_ENV = 'VAULT_MASTER_KEYS';
export const MASTER_KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

// Standard or URL-safe alphabet, optional padding: whatever `openssl rand -base64 32` or a secrets
// manager hands out. Buffer.from(..., 'base64') silently skips junk, so the alphabet is checked first.
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

const HINT =
  `expected a comma-separated list of id:base64key, each key ${MASTER_KEY_BYTES} random bytes ` +
  `(e.g. "k1:$(openssl rand -base64 ${MASTER_KEY_BYTES})"); the first key encrypts, all decrypt`;

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The master keys. Key bytes live in a private field and the ring prints as its ids only, so logging
 * a KeyRing (or an object holding one) cannot leak key material.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #currentId: string;

  private constructor(entries: MasterKey[]) {
    this.#keys = new Map(entries.map((e) => [e.id, e.key]));
    this.#currentId = entries[0].id;
  }

  /** Parses VAULT_MASTER_KEYS; every problem is reported at once, naming entries by position/id only. */
  static fromEnv(value: string | undefined): KeyRing {
    if (value === undefined || value.trim() === '') {
      throw new VaultConfigError([`${MASTER_KEYS_ENV} is missing: ${HINT}`]);
    }
    const problems: string[] = [];
    const entries: MasterKey[] = [];
    const seen = new Set<string>();
    value.split(',').forEach((raw, index) => {
      const where = `${MASTER_KEYS_ENV} entry ${index + 1}`;
      const entry = raw.trim();
      const colon = entry.indexOf(':');
      if (colon < 0) {
        // The entry may be a bare key pasted without its id: never echo it.
        problems.push(`${where} is not in id:base64key format: ${HINT}`);
        return;
      }
      const id = entry.slice(0, colon);
      const encoded = entry.slice(colon + 1).trim();
      if (!KEY_ID_PATTERN.test(id)) {
        problems.push(`${where} has an invalid key id: ids are 1-32 characters of A-Z, a-z, 0-9, _ or -`);
        return;
      }
      if (seen.has(id)) {
        problems.push(`${where} repeats key id "${id}": ids must be unique`);
        return;
      }
      seen.add(id);
      if (!BASE64.test(encoded)) {
        problems.push(`${where} (key id "${id}") is not valid base64: ${HINT}`);
        return;
      }
      // Node's base64 decoder accepts both alphabets.
      const key = Buffer.from(encoded, 'base64');
      if (key.length !== MASTER_KEY_BYTES) {
        problems.push(
          `${where} (key id "${id}") decodes to ${key.length} bytes; it must be exactly ${MASTER_KEY_BYTES}`,
        );
        return;
      }
      entries.push({ id, key });
    });
    if (problems.length) throw new VaultConfigError(problems);
    return new KeyRing(entries);
  }

  /** The key new records (and re-wraps) are sealed under. */
  get current(): MasterKey {
    return { id: this.#currentId, key: this.#keys.get(this.#currentId) as Buffer };
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  get(id: string): MasterKey | undefined {
    const key = this.#keys.get(id);
    return key && { id, key };
  }

  toJSON(): { current: string; ids: string[] } {
    return { current: this.#currentId, ids: this.ids };
  }

  [inspect.custom](): string {
    return `KeyRing { current: '${this.#currentId}', ids: [${this.ids.map((id) => `'${id}'`).join(', ')}] }`;
  }
}
