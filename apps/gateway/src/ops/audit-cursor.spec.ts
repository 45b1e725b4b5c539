import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

describe('audit page cursor', () => {
  const p = { at: '2026-12-07T03:00:00.123Z', service: 'payments' as const, id: '42' };

  it('round-trips a position', () => {
    expect(decodeAuditCursor(encodeAuditCursor(p))).toEqual(p);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","payments","1"]').toString('base64url'),
    Buffer.from('["2026-12-07T03:00:00.123Z","billing","1"]').toString('base64url'),
    Buffer.from('["2026-12-07T03:00:00.123Z","payments","-1"]').toString('base64url'),
    Buffer.from('["2026-12-07T03:00:00.123Z","payments",1]').toString('base64url'),
  ])('refuses %p naming the cursor field', (bad) => {
    expect(() => decodeAuditCursor(bad)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'cursor' })] }),
    );
  });
});
