import { eventually } from './eventually';

describe(eventually.name, () => {
  it('returns the first truthy value of the probe', async () => {
    let calls = 0;
    await expect(
      eventually('the third call', () => (++calls === 3 ? `call ${calls}` : undefined), { everyMs: 1 }),
    ).resolves.toBe('call 3');
  });

  it('returns the first value `until` accepts, falsy ones included', async () => {
    let n = 3;
    await expect(eventually('zero', () => n--, { until: (v) => v === 0, everyMs: 1 })).resolves.toBe(0);
  });

  it('calls a probe that threw again', async () => {
    let calls = 0;
    const probe = () => (++calls < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve(calls));
    await expect(eventually('a probe that stops throwing', probe, { everyMs: 1 })).resolves.toBe(3);
  });

  it('fails after the limit, naming what it waited for and the last value or error', async () => {
    await expect(
      eventually('the answer', () => ({ answer: 41 }), { until: (v) => v.answer === 42, timeoutMs: 20, everyMs: 1 }),
    ).rejects.toThrow('timed out after 20 ms waiting for the answer (last value: {"answer":41})');
    await expect(
      eventually('a healthy probe', () => Promise.reject(new Error('connection refused')), {
        timeoutMs: 20,
        everyMs: 1,
      }),
    ).rejects.toThrow('waiting for a healthy probe (last error: Error: connection refused)');
  });
});
