import { movesForward } from './status-rules';

describe('movesForward', () => {
  it('moves a pending payment to any outcome', () => {
    for (const to of ['approved', 'declined', 'failed', 'refunded'] as const)
      expect(movesForward('pending', to)).toBe(true);
  });

  it('never moves an approval back (late pending or decline) nor repeats it', () => {
    for (const to of ['pending', 'declined', 'failed', 'approved'] as const)
      expect(movesForward('approved', to)).toBe(false);
    expect(movesForward('approved', 'refunded')).toBe(true);
  });

  it('lets an approval follow a decline in the same session, but not a pending', () => {
    expect(movesForward('declined', 'approved')).toBe(true);
    expect(movesForward('declined', 'pending')).toBe(false);
    expect(movesForward('declined', 'failed')).toBe(false);
  });
});
