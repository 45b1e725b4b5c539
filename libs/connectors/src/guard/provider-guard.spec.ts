import { ErrorCode } from '@app/contracts';

import { ConnectorError, toDomainError } from '../connector-error';
import { failFromStatus, retryAfterMs } from '../http';
import { ProviderGuard, ProviderGuards, type CallOutcome, type ProviderGuardOptions } from './provider-guard';

const OPTS: ProviderGuardOptions = {
  failureThreshold: 3,
  cooldownMs: 10_000,
  maxConcurrency: 4,
  retryAfterMaxMs: 60_000,
  windowMs: 60_000,
};

/** A provider call that counts how often it ran: what the guard must not do while it protects the provider. */
function provider() {
  let calls = 0;
  let next: () => Promise<string> = () => Promise.resolve('ok');
  return {
    get calls() {
      return calls;
    },
    answer(f: () => Promise<string>) {
      next = f;
    },
    call: () => {
      calls++;
      return next();
    },
  };
}

const fails = (err: ConnectorError) => (): Promise<string> => Promise.reject(err);
const unavailable = new ConnectorError('provider_error', 'HTTP 503', { httpStatus: 503 });

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

describe('ProviderGuard', () => {
  let outcomes: CallOutcome[];
  let guard: ProviderGuard;
  let states: string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-01T10:00:00Z') });
    outcomes = [];
    states = [];
    guard = new ProviderGuard(
      'bridgerpay',
      OPTS,
      (_p, _op, outcome) => outcomes.push(outcome),
      (_p, s) => states.push(s),
    );
  });
  afterEach(() => jest.useRealTimers());

  it('opens after consecutive provider-side failures and then fails at once without calling the provider', async () => {
    const p = provider();
    p.answer(fails(unavailable));
    for (let i = 0; i < 3; i++)
      expect((await rejection(guard.run('payment.openCashier', p.call))).code).toBe('provider_error');
    expect(guard.state).toBe('open');
    expect(states).toEqual(['open']);

    p.answer(() => Promise.resolve('ok'));
    const err = await rejection(guard.run('payment.openCashier', p.call));
    expect(err.code).toBe('circuit_open');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/circuit breaker is open/);
    expect(p.calls).toBe(3);
    expect(outcomes).toEqual(['provider_error', 'provider_error', 'provider_error', 'breaker_open']);
  });

  it('counts timeouts, network errors and 429s; a success in between starts the count again', async () => {
    const p = provider();
    p.answer(fails(new ConnectorError('timeout', 'no answer')));
    await rejection(guard.run('send', p.call));
    p.answer(fails(new ConnectorError('network', 'ECONNREFUSED')));
    await rejection(guard.run('send', p.call));
    p.answer(() => Promise.resolve('ok'));
    await guard.run('send', p.call);
    p.answer(fails(failFromStatus(429, 'slow down')));
    await rejection(guard.run('send', p.call));
    p.answer(fails(unavailable));
    await rejection(guard.run('send', p.call));
    expect(guard.state).toBe('closed');
    await rejection(guard.run('send', p.call));
    expect(guard.state).toBe('open');
    expect(outcomes).toEqual(['timeout', 'provider_error', 'ok', 'rate_limited', 'provider_error', 'provider_error']);
  });

  it('never opens on refusals caused by our request or credentials (4xx, auth, bad config)', async () => {
    const p = provider();
    const refusals = [
      failFromStatus(422, 'amount too small'),
      failFromStatus(401, 'bad key'),
      failFromStatus(404, 'no such applicant'),
      new ConnectorError('invalid_config', 'credential api_key is not set'),
    ];
    for (let round = 0; round < 3; round++) {
      for (const r of refusals) {
        p.answer(fails(r));
        expect((await rejection(guard.run('test', p.call))).code).toBe(r.code);
      }
    }
    expect(guard.state).toBe('closed');
    expect(p.calls).toBe(12);
    expect(new Set(outcomes)).toEqual(new Set(['refused']));
    expect(guard.sample()).toMatchObject({ calls: 12, failures: 0 });
  });

  it('after the cool-down lets one half-open probe through; its success closes the breaker', async () => {
    const p = provider();
    p.answer(fails(unavailable));
    for (let i = 0; i < 3; i++) await rejection(guard.run('op', p.call));
    jest.advanceTimersByTime(OPTS.cooldownMs - 1);
    expect((await rejection(guard.run('op', p.call))).code).toBe('circuit_open');
    expect(p.calls).toBe(3);

    jest.advanceTimersByTime(1);
    let finish!: (v: string) => void;
    p.answer(
      () =>
        new Promise<string>((r) => {
          finish = r;
        }),
    );
    const probe = guard.run('op', p.call);
    expect(guard.state).toBe('half_open');
    // while the probe is in flight another call fails over at once instead of waiting behind it
    expect((await rejection(guard.run('op', p.call))).code).toBe('circuit_open');
    expect(p.calls).toBe(4);
    finish('recovered');
    await expect(probe).resolves.toBe('recovered');
    expect(guard.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
    p.answer(() => Promise.resolve('ok'));
    await expect(guard.run('op', p.call)).resolves.toBe('ok');
  });

  it('opens again when the half-open probe fails, for another cool-down', async () => {
    const p = provider();
    p.answer(fails(unavailable));
    for (let i = 0; i < 3; i++) await rejection(guard.run('op', p.call));
    jest.advanceTimersByTime(OPTS.cooldownMs);
    expect((await rejection(guard.run('op', p.call))).code).toBe('provider_error');
    expect(guard.state).toBe('open');
    expect((await rejection(guard.run('op', p.call))).code).toBe('circuit_open');
    expect(p.calls).toBe(4);
  });

  it('does not call a provider again before its 429 Retry-After has passed', async () => {
    const p = provider();
    p.answer(fails(failFromStatus(429, 'Too Many Requests', new Headers({ 'retry-after': '30' }))));
    expect((await rejection(guard.run('email.send', p.call))).options.retryAfterMs).toBe(30_000);
    p.answer(() => Promise.resolve('ok'));
    jest.advanceTimersByTime(29_000);
    const waiting = await rejection(guard.run('email.send', p.call));
    expect(waiting.code).toBe('rate_limited');
    expect(waiting.retryable).toBe(true);
    expect(waiting.options.retryAfterMs).toBe(1000);
    expect(p.calls).toBe(1);
    jest.advanceTimersByTime(1000);
    await expect(guard.run('email.send', p.call)).resolves.toBe('ok');
    expect(p.calls).toBe(2);
    expect(outcomes).toEqual(['rate_limited', 'rejected', 'ok']);
    expect(guard.state).toBe('closed');
  });

  it('caps a Retry-After at retryAfterMaxMs', async () => {
    const p = provider();
    p.answer(fails(failFromStatus(429, 'go away', new Headers({ 'retry-after': String(7 * 86_400) }))));
    await rejection(guard.run('op', p.call));
    p.answer(() => Promise.resolve('ok'));
    jest.advanceTimersByTime(OPTS.retryAfterMaxMs);
    await expect(guard.run('op', p.call)).resolves.toBe('ok');
  });

  it('refuses a call beyond the concurrency limit at once (overloaded, 503), without queueing it', async () => {
    const p = provider();
    const pending: ((v: string) => void)[] = [];
    p.answer(() => new Promise<string>((r) => pending.push(r)));
    const inFlight = Array.from({ length: OPTS.maxConcurrency }, () => guard.run('op', p.call));
    await Promise.resolve();
    const err = await rejection(guard.run('op', p.call));
    expect(err.code).toBe('overloaded');
    expect(err.retryable).toBe(true);
    expect(toDomainError('bridgerpay', err).code).toBe(ErrorCode.Unavailable);
    expect(p.calls).toBe(OPTS.maxConcurrency);
    pending.shift()!('done');
    await inFlight[0];
    const next = guard.run('op', p.call);
    await Promise.resolve();
    expect(p.calls).toBe(OPTS.maxConcurrency + 1);
    for (const r of pending) r('done');
    await Promise.all([...inFlight, next]);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(1);
    expect(guard.state).toBe('closed');
  });

  it('reports no health for a provider never called, then error rate and p95 over the window', async () => {
    expect(guard.sample()).toBeNull();
    const p = provider();
    p.answer(() => Promise.resolve('ok'));
    await guard.run('op', p.call);
    p.answer(fails(unavailable));
    await rejection(guard.run('op', p.call));
    expect(guard.sample()).toMatchObject({ key: 'bridgerpay', state: 'closed', calls: 2, failures: 1 });
    expect(guard.sample()!.p95_ms).toBeGreaterThanOrEqual(0);
    jest.advanceTimersByTime(OPTS.windowMs + 1);
    expect(guard.sample()).toBeNull();
  });

  it('maps an open breaker to a 502 provider failure for the API', () => {
    expect(toDomainError('praxis', new ConnectorError('circuit_open', 'open')).code).toBe(ErrorCode.ProviderFailed);
  });
});

describe('ProviderGuards', () => {
  it('keeps one breaker per provider key: one failing provider does not open another', async () => {
    const guards = new ProviderGuards({ ...OPTS, failureThreshold: 1 });
    const changes: string[] = [];
    guards.onStateChange((p, s) => changes.push(`${p}:${s}`));
    await rejection(guards.for('sendgrid').run('email.send', fails(unavailable)));
    expect(guards.for('sendgrid')).toBe(guards.for('sendgrid'));
    expect(guards.for('sendgrid').state).toBe('open');
    expect(guards.for('gmail').state).toBe('closed');
    await expect(guards.for('gmail').run('email.send', () => Promise.resolve('sent'))).resolves.toBe('sent');
    expect(changes).toEqual(['sendgrid:open']);
    expect(guards.samples().map((s) => [s.key, s.state])).toEqual([
      ['sendgrid', 'open'],
      ['gmail', 'closed'],
    ]);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates, and nothing else', () => {
    const now = Date.parse('2026-11-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 01 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 01 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
