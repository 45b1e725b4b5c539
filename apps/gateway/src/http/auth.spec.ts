import { createHash } from 'node:crypto';

import { ApiKeyRing, requiresPlatformKey } from './auth';

describe(ApiKeyRing.name, () => {
  const ring = new ApiKeyRing('first-key-0123456789,second-key-0123456789');

  it('accepts each configured key and gives a stable id that is not the key', () => {
    const a = ring.authenticate('Bearer first-key-0123456789');
    const b = ring.authenticate('bearer second-key-0123456789');
    expect(a?.id).toMatch(/^key_[0-9a-f]{12}$/);
    expect(b?.id).toMatch(/^key_[0-9a-f]{12}$/);
    expect(a?.id).not.toBe(b?.id);
    expect(ring.authenticate('Bearer first-key-0123456789')).toEqual(a);
  });

  it("reads a :read or :admin suffix as the key's scope, admin when there is none", () => {
    const scoped = new ApiKeyRing('reporting-key-0123456789:read, ops-key-0123456789:admin,legacy-key-0123456789');
    const idOf = (key: string) => `key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
    expect(scoped.authenticate('Bearer reporting-key-0123456789')).toEqual({
      id: idOf('reporting-key-0123456789'),
      scope: 'read',
    });
    expect(scoped.authenticate('Bearer ops-key-0123456789')).toEqual({
      id: idOf('ops-key-0123456789'),
      scope: 'admin',
    });
    expect(scoped.authenticate('Bearer legacy-key-0123456789')).toEqual({
      id: idOf('legacy-key-0123456789'),
      scope: 'admin',
    });
    // the suffix is configuration, not part of the key a client sends
    expect(scoped.authenticate('Bearer reporting-key-0123456789:read')).toBeNull();
  });

  it('splits on the last colon only, and only for exactly read or admin', () => {
    const scoped = new ApiKeyRing('with:colon-key-0123456789:read,other-key-0123456789:write,last-key-0123456789:READ');
    expect(scoped.authenticate('Bearer with:colon-key-0123456789')?.scope).toBe('read');
    expect(scoped.authenticate('Bearer other-key-0123456789:write')?.scope).toBe('admin');
    expect(scoped.authenticate('Bearer other-key-0123456789')).toBeNull();
    expect(scoped.authenticate('Bearer last-key-0123456789:READ')?.scope).toBe('admin');
    expect(() => new ApiKeyRing(':read')).toThrow(/PLATFORM_API_KEYS/);
  });

  it('refuses missing, malformed and unknown keys', () => {
    expect(ring.authenticate(undefined)).toBeNull();
    expect(ring.authenticate('first-key-0123456789')).toBeNull();
    expect(ring.authenticate('Basic Zmlyc3Q=')).toBeNull();
    expect(ring.authenticate('Bearer first-key-012345678')).toBeNull();
  });
});

describe(requiresPlatformKey.name, () => {
  it.each([
    ['/api/platform/integrations/providers', true],
    ['/payments/gateway', true],
    ['/webhooks/kyc/sumsub', false],
    ['/webhooks/kyc', true],
    ['/health', false],
    ['/docs-json', false],
    ['/paymentsX', false],
  ])('%s -> %s', (path, expected) => expect(requiresPlatformKey(path)).toBe(expected));
});
