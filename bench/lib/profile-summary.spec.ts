import { formatSummary, summarise, type CpuProfile } from './profile-summary';

const ROOT = '/repo';
const frame = (functionName: string, url: string, lineNumber: number) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

/**
 * (root) -> handle (ours) -> validate (class-validator) -> handle again (recursion) -> JSON.parse (node)
 *        -> (idle)
 *        -> (garbage collector)
 *        -> Module._load -> pino's module body (start-up)
 * Samples, each 1 ms long: handle 2, validate 3, the inner handle 1, parse 4, idle 10, gc 1, loading 3.
 */
function tinyProfile(): CpuProfile {
  const nodes = [
    { id: 1, callFrame: frame('(root)', '', -1), children: [2, 6, 7, 8] },
    { id: 2, callFrame: frame('handle', 'file:///repo/dist/libs/messaging/src/nats-rpc.server.js', 66), children: [3] },
    {
      id: 3,
      callFrame: frame('validate', 'file:///repo/node_modules/class-validator/cjs/validation/Validator.js', 9),
      children: [4],
    },
    { id: 4, callFrame: frame('handle', 'file:///repo/dist/libs/messaging/src/nats-rpc.server.js', 66), children: [5] },
    { id: 5, callFrame: frame('parse', 'node:internal/deps/json', 0) },
    { id: 6, callFrame: frame('(idle)', '', -1) },
    { id: 7, callFrame: frame('(garbage collector)', '', -1) },
    { id: 8, callFrame: frame('Module._load', 'node:internal/modules/cjs/loader', 1002), children: [9] },
    { id: 9, callFrame: frame('(anonymous)', 'file:///repo/node_modules/pino/pino.js', 0) },
  ];
  const samples = [8, 9, 9, 2, 2, 3, 3, 3, 4, 5, 5, 5, 5, ...Array<number>(10).fill(6), 7];
  // each delta is the time since the previous sample: the sample before it lasted 1 ms
  const timeDeltas = samples.map(() => 1000);
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas };
}

describe(summarise.name, () => {
  const s = summarise('gateway', tinyProfile(), ROOT);
  const stat = (prefix: string) => s.frames.find((f) => f.frame.startsWith(prefix))!;

  it('sums self time per function and location, with a 1-based file:line relative to the repository', () => {
    expect(stat('handle')).toMatchObject({
      frame: 'handle dist/libs/messaging/src/nats-rpc.server.js:67',
      kind: 'ours',
    });
    expect(stat('handle').selfMs).toBeCloseTo(3);
    expect(stat('validate')).toMatchObject({
      frame: 'validate class-validator/cjs/validation/Validator.js:10',
      kind: 'node_modules',
      pkg: 'class-validator',
    });
    expect(stat('validate').selfMs).toBeCloseTo(3);
    expect(stat('parse')).toMatchObject({ kind: 'node' });
    expect(stat('parse').selfMs).toBeCloseTo(4);
  });

  it('counts a recursive frame once in its total time', () => {
    expect(stat('handle').totalMs).toBeCloseTo(10);
    expect(stat('validate').totalMs).toBeCloseTo(8);
    expect(stat('parse').totalMs).toBeCloseTo(4);
  });

  it('splits busy time into ours, node_modules, node internals and V8, apart from idle and start-up time', () => {
    expect(s.sampledMs).toBeCloseTo(21);
    expect(s.idleMs).toBeCloseTo(10);
    expect(s.byKind.ours).toBeCloseTo(3);
    expect(s.byKind.node_modules).toBeCloseTo(3);
    expect(s.byKind.node).toBeCloseTo(4);
    expect(s.startupMs).toBeCloseTo(3);
    expect(s.frames.find((f) => f.frame.includes('pino'))!.selfMs).toBe(0);
    expect(s.byPackage).toEqual([{ pkg: 'class-validator', selfMs: expect.closeTo(3) as number }]);
  });

  it('prints the top frames by self and by total time, grouped, as shares of busy time', () => {
    const text = formatSummary(s, 5);
    expect(text).toContain('== gateway: 0.0 s sampled, 0.0 s busy (not idle), besides 0.0 s loading modules');
    expect(text).toContain('ours 27.3%, node_modules 27.3%, node internals 36.4%, gc/program 9.1%');
    const self = text.slice(text.indexOf('top self time, ours'), text.indexOf('top self time, node_modules'));
    expect(self).toContain('27.3%  handle dist/libs/messaging/src/nats-rpc.server.js:67');
    const total = text.slice(text.indexOf('top total time, ours'));
    expect(total).toContain('90.9%  handle dist/libs/messaging/src/nats-rpc.server.js:67');
    expect(total).toContain('72.7%  validate class-validator/cjs/validation/Validator.js:10');
    expect(text).not.toContain('(idle)');
  });
});
