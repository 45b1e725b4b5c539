import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

import { VaultConfigError } from './errors';
import { KeyRing } from './key-ring';

const key = (bytes = 32): string => randomBytes(bytes).toString('base64');

function configError(value: string | undefined): VaultConfigError {
  try {
    KeyRing.fromEnv(value);
  } catch (err) {
    expect(err).toBeInstanceOf(VaultConfigError);
    return err as VaultConfigError;
  }
  throw new Error('expected KeyRing.fromEnv to throw');
}

describe('KeyRing.fromEnv', () => {
  it('parses keys in order; the first one encrypts', () => {
    const k1 = key();
    const ring = KeyRing.fromEnv(` k2:${key()} ,k1:${k1}`);
    expect(ring.current.id).toBe('k2');
    expect(ring.ids).toEqual(['k2', 'k1']);
    expect(ring.get('k1')?.key.equals(Buffer.from(k1, 'base64'))).toBe(true);
    expect(ring.get('nope')).toBeUndefined();
  });

  it('accepts url-safe base64 and unpadded keys', () => {
    const raw = randomBytes(32);
    const ring = KeyRing.fromEnv(`a:${raw.toString('base64url')}`);
    expect(ring.current.key.equals(raw)).toBe(true);
  });

  it.each([undefined, '', '   '])('reports a missing value (%p) by variable name', (value) => {
    const err = configError(value);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain('VAULT_MASTER_KEYS is missing');
  });

  it('reports an entry without an id, without echoing it', () => {
    const bare = key();
    const err = configError(bare);
    expect(err.message).toContain('VAULT_MASTER_KEYS entry 1 is not in id:base64key format');
    expect(err.message).not.toContain(bare);
  });

  it('reports an invalid id without echoing the entry', () => {
    const secret = key();
    const err = configError(`bad.id:${secret}`);
    expect(err.message).toContain('entry 1 has an invalid key id');
    expect(err.message).not.toContain(secret);
    expect(configError(`${'x'.repeat(33)}:${key()}`).message).toContain('invalid key id');
    expect(configError(`:${key()}`).message).toContain('invalid key id');
  });

  it('reports an empty entry', () => {
    expect(configError(`k1:${key()},,k2:${key()}`).message).toContain('entry 2 is not in id:base64key format');
  });

  it('reports a key that is not base64, without echoing it', () => {
    const err = configError('k1:not*base64*at*all');
    expect(err.message).toContain('key id "k1") is not valid base64');
    expect(err.message).not.toContain('not*base64');
  });

  it.each([16, 31, 33, 64])('reports a %i-byte key as the wrong length, without echoing it', (bytes) => {
    const secret = key(bytes);
    const err = configError(`k1:${secret}`);
    expect(err.message).toContain(`key id "k1") decodes to ${bytes} bytes; it must be exactly 32`);
    expect(err.message).not.toContain(secret);
  });

  it('reports a duplicate id', () => {
    const err = configError(`k1:${key()},k1:${key()}`);
    expect(err.message).toContain('VAULT_MASTER_KEYS entry 2 repeats key id "k1"');
  });

  it('reports every problem at once', () => {
    const err = configError(`k1:${key(8)},junk,k1:${key()}`);
    expect(err.problems).toHaveLength(3);
  });

  it('never prints key material when logged', () => {
    const secret = key();
    const ring = KeyRing.fromEnv(`k1:${secret}`);
    const b64 = Buffer.from(secret, 'base64');
    for (const text of [inspect(ring), JSON.stringify(ring), inspect({ ring }, { depth: 5 })]) {
      expect(text).toContain('k1');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(b64.toString('hex'));
    }
  });
});
