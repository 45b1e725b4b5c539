import { comparePosition, decodeCursor, encodeCursor } from './dead-letter-cursor';

describe('dead-letter page cursor', () => {
  const p = { parked_at: '2026-12-07T03:00:00.123Z', id: '6f1c1b7e-7c39-4a55-9a64-1b2c3d4e5f60' };

  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor(p))).toEqual(p);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["yesterday","x"]').toString('base64url'),
  ])('refuses %p naming the cursor field', (bad) => {
    expect(() => decodeCursor(bad)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field: 'cursor' })] }),
    );
  });

  it('orders by parked time, then id, as Postgres does for uuids', () => {
    const later = { ...p, parked_at: '2026-12-07T03:00:00.124Z' };
    const sameTime = { ...p, id: '7f1c1b7e-7c39-4a55-9a64-1b2c3d4e5f60' };
    expect([later, sameTime, p].sort(comparePosition)).toEqual([p, sameTime, later]);
  });
});
