import { ApiKeyRing, requiresPlatformKey } from './auth';

describe(ApiKeyRing.name, () => {
  const ring = new ApiKeyRing('first-key-0123456789,second-key-0123456789');

  it('accepts each configured key and gives a stable id that is not the key', () => {
    const a = ring.authenticate('Bearer first-key-0123456789');
    const b = ring.authenticate('bearer second-key-0123456789');
    expect(a).toMatch(/^key_[0-9a-f]{12}$/);
    expect(b).toMatch(/^key_[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(ring.authenticate('Bearer first-key-0123456789')).toBe(a);
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
