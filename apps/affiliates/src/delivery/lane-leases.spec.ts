import pino from 'pino';

import { LaneLeases, type LaneLeaseStore } from './lane-leases';

const LEASE = 3000;
const silent = pino({ level: 'silent' });

/** A store answering each renewal with `answer(ids)`; a pending promise is a database that never answers. */
function store(answer: (ids: string[]) => Promise<Set<string>>): LaneLeaseStore & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    renewLanes: (ids) => {
      calls.push(ids);
      return answer(ids);
    },
  };
}

describe(LaneLeases.name, () => {
  let leases: LaneLeases | null = null;
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    leases?.stop();
    leases = null;
    jest.useRealTimers();
  });

  it('keeps a lease the heartbeat renews, past several lease periods, renewing every lane in one call', async () => {
    const s = store((ids) => Promise.resolve(new Set(ids)));
    leases = new LaneLeases(s, 'r1', LEASE, silent);
    leases.start();
    const a = leases.hold('a', LaneLeases.now());
    const b = leases.hold('b', LaneLeases.now());
    await jest.advanceTimersByTimeAsync(LEASE * 5);
    expect(a.aborted || b.aborted).toBe(false);
    expect(s.calls.length).toBeGreaterThanOrEqual(12);
    expect(s.calls.every((ids) => ids.length === 2)).toBe(true);
  });

  it('loses a lease at its deadline when the database never answers a renewal', async () => {
    const lost: string[] = [];
    leases = new LaneLeases(
      store(() => new Promise(() => undefined)),
      'r1',
      LEASE,
      silent,
      (id) => lost.push(id),
    );
    leases.start();
    const a = leases.hold('a', LaneLeases.now());
    await jest.advanceTimersByTimeAsync(LEASE - 10);
    expect(a.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(20);
    expect(a.aborted).toBe(true);
    expect(lost).toEqual(['a']);
  });

  it('loses a lease at its deadline when every renewal fails', async () => {
    leases = new LaneLeases(
      store(() => Promise.reject(new Error('connection terminated'))),
      'r1',
      LEASE,
      silent,
    );
    leases.start();
    const a = leases.hold('a', LaneLeases.now());
    await jest.advanceTimersByTimeAsync(LEASE + 10);
    expect(a.aborted).toBe(true);
  });

  it('loses a lease at once when the renewal says another replica holds it, and keeps the others', async () => {
    leases = new LaneLeases(
      store((ids) => Promise.resolve(new Set(ids.filter((id) => id !== 'taken')))),
      'r1',
      LEASE,
      silent,
    );
    leases.start();
    const taken = leases.hold('taken', LaneLeases.now());
    const kept = leases.hold('kept', LaneLeases.now());
    await jest.advanceTimersByTimeAsync(LEASE / 3 + 10);
    expect(taken.aborted).toBe(true);
    expect(kept.aborted).toBe(false);
  });

  it('stops renewing a lane once it is dropped', async () => {
    const s = store((ids) => Promise.resolve(new Set(ids)));
    leases = new LaneLeases(s, 'r1', LEASE, silent);
    leases.start();
    const a = leases.hold('a', LaneLeases.now());
    leases.drop('a');
    await jest.advanceTimersByTimeAsync(LEASE * 2);
    expect(s.calls).toEqual([]);
    expect(a.aborted).toBe(false);
  });
});
