import { decodeAffiliateCursor, encodeAffiliateCursor } from './affiliate-cursor';

describe('affiliate page cursor', () => {
  it('round-trips an affiliate id', () => {
    expect(decodeAffiliateCursor(encodeAffiliateCursor('acme.partner-1'))).toBe('acme.partner-1');
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('["a","b"]').toString('base64url'),
    Buffer.from('["-starts-with-a-dash"]').toString('base64url'),
    Buffer.from('[7]').toString('base64url'),
  ])('refuses %p naming the cursor field', (bad) => {
    expect(() => decodeAffiliateCursor(bad)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'cursor' })] }),
    );
  });
});
