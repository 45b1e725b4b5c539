import { newTraceId, nextTraceparent, randomHex, traceIdOf } from './context';

describe('request ids from the random pool', () => {
  it('draws trace ids of 32 hex characters, none repeated across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newTraceId());
    expect(seen.size).toBe(5000);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives a traceparent the same trace and a fresh 16-hex span id', () => {
    const trace = newTraceId();
    const a = nextTraceparent(trace);
    const b = nextTraceparent(trace);
    expect(traceIdOf(a)).toBe(trace);
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(a).not.toBe(b);
  });

  it('refuses a draw larger than the pool', () => {
    expect(() => randomHex(4097)).toThrow(RangeError);
  });
});
