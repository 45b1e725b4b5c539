import { DomainError, ErrorCode } from '@app/contracts';

import { canonical, requestHash } from './canonical';
import { Idempotency, type AnswerSealer, type IdempotencyOptions } from './idempotency';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency.store';

const TTL_MS = 3_600_000;

/** The store's rules in memory, on a clock the test moves; answers round-trip through JSON as in jsonb. */
class MemoryStore implements IdempotencyStore {
  now = 1_000_000;
  readonly rows = new Map<string, IdempotencyRecord & { createdAt: number; updatedAt: number }>();
  purges: number[] = [];

  claim(scope: string, key: string, hash: string, ttlMs: number) {
    const row = this.rows.get(`${scope}|${key}`);
    if (row && row.createdAt >= this.now - ttlMs) return Promise.resolve(false);
    const at = this.now;
    this.rows.set(`${scope}|${key}`, {
      requestHash: hash,
      state: 'pending',
      response: null,
      createdAt: at,
      updatedAt: at,
    });
    return Promise.resolve(true);
  }
  find(scope: string, key: string) {
    const row = this.rows.get(`${scope}|${key}`);
    return Promise.resolve(row ? { requestHash: row.requestHash, state: row.state, response: row.response } : null);
  }
  complete(scope: string, key: string, response: unknown) {
    const row = this.rows.get(`${scope}|${key}`)!;
    Object.assign(row, {
      state: 'done',
      response: JSON.parse(JSON.stringify(response)) as unknown,
      updatedAt: this.now,
    });
    return Promise.resolve();
  }
  release(scope: string, key: string) {
    if (this.rows.get(`${scope}|${key}`)?.state === 'pending') this.rows.delete(`${scope}|${key}`);
    return Promise.resolve();
  }
  async closeInterrupted(scope: string, key: string, staleMs: number, response: unknown) {
    const row = this.rows.get(`${scope}|${key}`);
    if (row?.state !== 'pending' || row.updatedAt >= this.now - staleMs) return false;
    await this.complete(scope, key, response);
    return true;
  }
  purgeOlderThan(ttlMs: number) {
    this.purges.push(ttlMs);
    const expired = [...this.rows].filter(([, r]) => r.createdAt < this.now - ttlMs);
    for (const [id] of expired) this.rows.delete(id);
    return Promise.resolve(expired.length);
  }
}

const refused = () => new DomainError(ErrorCode.ProviderRefused, 'the provider refused the recipient');
const failed = () => new DomainError(ErrorCode.ProviderFailed, 'the provider timed out');

describe(Idempotency.name, () => {
  let store: MemoryStore;
  let calls: number;
  const make = (opts: Partial<IdempotencyOptions> = {}) => new Idempotency(store, { ttlMs: TTL_MS, ...opts });
  const work =
    <T>(answer: T, gate?: Promise<unknown>) =>
    async () => {
      calls++;
      await gate;
      return answer;
    };
  const failing = (err: () => Error) => () => {
    calls++;
    return Promise.reject(err());
  };
  const rejection = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e as DomainError,
    );

  beforeEach(() => {
    store = new MemoryStore();
    calls = 0;
  });

  it('runs the work for a new key and stores its answer', async () => {
    expect(await make().run('a:send', 'k1', { to: 'x' }, work({ id: 1 }))).toEqual({ id: 1 });
    expect(calls).toBe(1);
    expect(store.rows.get('a:send|k1')).toMatchObject({ state: 'done', response: { ok: true, data: { id: 1 } } });
  });

  it('runs the work every time when there is no key', async () => {
    const idem = make();
    await idem.run('a:send', undefined, { to: 'x' }, work(1));
    await idem.run('a:send', undefined, { to: 'x' }, work(1));
    expect([calls, store.rows.size]).toEqual([2, 0]);
  });

  it('replays the first answer for the same key and body, in any key order, without running the work again', async () => {
    const idem = make();
    const first = await idem.run('a:send', 'k1', { to: 'x', body: 'hi', n: [1, { b: 2, a: 1 }] }, work({ id: 1 }));
    const again = await idem.run('a:send', 'k1', { n: [1, { a: 1, b: 2 }], body: 'hi', to: 'x' }, work({ id: 2 }));
    expect(again).toEqual(first);
    expect(calls).toBe(1);
  });

  it('refuses the same key with another body with 409 naming Idempotency-Key', async () => {
    const idem = make();
    await idem.run('a:send', 'k1', { to: 'x' }, work(1));
    const err = await rejection(idem.run('a:send', 'k1', { to: 'y' }, work(2)));
    expect(err).toMatchObject({ code: ErrorCode.Conflict, errors: [{ field: 'Idempotency-Key' }] });
    expect(calls).toBe(1);
  });

  it('keeps scopes apart: the same key in another scope is a new request', async () => {
    const idem = make();
    await idem.run('a:send', 'k1', { to: 'x' }, work(1));
    expect(await idem.run('b:send', 'k1', { to: 'y' }, work(2))).toBe(2);
  });

  it('lets a concurrent duplicate wait for the first answer instead of running the work twice', async () => {
    const idem = make();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const first = idem.run('a:send', 'k1', { to: 'x' }, work({ id: 1 }, gate));
    const second = idem.run('a:send', 'k1', { to: 'x' }, work({ id: 2 }));
    await new Promise((r) => setTimeout(r, 250));
    open();
    expect(await Promise.all([first, second])).toEqual([{ id: 1 }, { id: 1 }]);
    expect(calls).toBe(1);
  });

  it('gives a duplicate up with 409 "in progress" when the first answer does not come within waitMs', async () => {
    const idem = make({ waitMs: 50 });
    void idem.run('a:send', 'k1', { to: 'x' }, work(1, new Promise(() => {})));
    const err = await rejection(idem.run('a:send', 'k1', { to: 'x' }, work(2)));
    expect(err).toMatchObject({ code: ErrorCode.Conflict, message: expect.stringMatching(/in progress/) });
    expect(calls).toBe(1);
  });

  it('closes a key left pending over 2 minutes (its replica died) with a final 409 and never runs the work', async () => {
    const idem = make();
    await store.claim('a:send', 'k1', requestHash({ to: 'x' }), TTL_MS);
    store.now += 121_000;
    for (let i = 0; i < 2; i++) {
      const err = await rejection(idem.run('a:send', 'k1', { to: 'x' }, work(1)));
      expect(err).toMatchObject({ code: ErrorCode.Conflict, message: expect.stringMatching(/interrupted/) });
    }
    expect(calls).toBe(0);
    expect(store.rows.get('a:send|k1')?.state).toBe('done');
  });

  it('does not close a key pending for less than 2 minutes', async () => {
    const idem = make({ waitMs: 50 });
    await store.claim('a:send', 'k1', requestHash({ to: 'x' }), TTL_MS);
    store.now += 100_000;
    const err = await rejection(idem.run('a:send', 'k1', { to: 'x' }, work(1)));
    expect(err?.message).toMatch(/in progress/);
    expect(store.rows.get('a:send|k1')?.state).toBe('pending');
  });

  it('seals a stored answer, bound to its scope and key, and opens it on replay', async () => {
    const seen: string[] = [];
    const sealer: AnswerSealer = {
      seal: (plain, id) => (seen.push(id), Buffer.from(`${id}:${plain}`).toString('base64')),
      open: (sealed, id) =>
        Buffer.from(sealed, 'base64')
          .toString()
          .slice(id.length + 1),
    };
    const idem = make({ sealer });
    await idem.run('a:send', 'k1', { to: 'x' }, work({ token: 'secret-token' }));
    expect(JSON.stringify(store.rows.get('a:send|k1'))).not.toContain('secret-token');
    expect(store.rows.get('a:send|k1')?.response).toEqual({ ok: true, sealed: expect.any(String) });
    expect(await idem.run('a:send', 'k1', { to: 'x' }, work({ token: 'other' }))).toEqual({ token: 'secret-token' });
    expect(seen).toEqual(['a:send\u0001k1']);
  });

  it('stores and replays a final error when its code is in replayErrors: the work runs once', async () => {
    const idem = make({ replayErrors: [ErrorCode.ProviderRefused] });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(idem.run('a:send', 'k1', { to: 'x' }, failing(refused)));
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: ErrorCode.ProviderRefused, message: 'the provider refused the recipient' });
    }
    expect(calls).toBe(1);
  });

  it('frees the key after an error not in replayErrors, so a retry runs the work again', async () => {
    const idem = make({ replayErrors: [ErrorCode.ProviderRefused] });
    expect(await rejection(idem.run('a:send', 'k1', { to: 'x' }, failing(failed)))).toMatchObject({
      code: ErrorCode.ProviderFailed,
    });
    expect(await idem.run('a:send', 'k1', { to: 'x' }, work(2))).toBe(2);
    expect(calls).toBe(2);
  });

  it('replays no error without replayErrors: a refused first attempt frees the key', async () => {
    const idem = make();
    await rejection(idem.run('a:send', 'k1', { to: 'x' }, failing(refused)));
    expect(store.rows.size).toBe(0);
    expect(await idem.run('a:send', 'k1', { to: 'x' }, work(2))).toBe(2);
  });

  it('treats a key older than the TTL as free, even before it is purged', async () => {
    const idem = make();
    await idem.run('a:send', 'k1', { to: 'x' }, work(1));
    store.now += TTL_MS + 1;
    expect(await idem.run('a:send', 'k1', { to: 'y' }, work(2))).toBe(2);
  });

  it('purges keys older than the TTL on its timer, and stops cleanly', async () => {
    jest.useFakeTimers();
    try {
      const idem = make();
      await idem.run('a:send', 'k1', { to: 'x' }, work(1));
      await idem.run('a:send', 'k2', { to: 'x' }, work(1));
      store.now += TTL_MS + 1;
      await idem.run('a:send', 'k3', { to: 'x' }, work(1));
      await idem.start();
      jest.advanceTimersByTime(TTL_MS);
      await idem.stop();
      expect(store.purges).toEqual([TTL_MS]);
      expect([...store.rows.keys()]).toEqual(['a:send|k3']);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('canonical', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonical({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"x":0,"y":1}]},"b":1}',
    );
  });
});
