// Summarises the V8 CPU profiles (`.cpuprofile`, written by `node --cpu-prof`) of one profiled bench run:
// per process, the top frames by self time and by total (inclusive) time, with file:line, our code apart
// from node_modules and from Node's own internals. `npm run bench:profile-summary <dir>` prints it for a
// directory; `npm run bench -- --profile <suite>` prints it at the end of the run.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** The parts of the .cpuprofile format (Chrome DevTools protocol `Profiler.Profile`) read here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

/** Where a frame's code lives: ours (apps, libs, bench), a package, Node itself, or V8's pseudo-frames. */
export type FrameKind = 'ours' | 'node_modules' | 'node' | 'vm';

export interface FrameStat {
  /** `functionName file:line` (line 1-based), the key frames are summed under. */
  frame: string;
  kind: FrameKind;
  /** The package of a node_modules frame (`@nestjs/core`, `pino`). */
  pkg?: string;
  selfMs: number;
  totalMs: number;
}

export interface ProcessSummary {
  name: string;
  /** Sampled time, ms, (idle) included. */
  sampledMs: number;
  idleMs: number;
  /**
   * Time spent loading modules (under Node's module loader: the process's start, a lazy require), ms:
   * left out of the frames, which show the steady state the benchmark measures.
   */
  startupMs: number;
  byKind: Record<FrameKind, number>;
  /** Self time per package, ms. */
  byPackage: { pkg: string; selfMs: number }[];
  frames: FrameStat[];
}

const VM_FRAMES = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
const MODULE_LOADER = 'node:internal/modules/';

function kindOf(url: string, functionName: string): FrameKind {
  if (!url) return VM_FRAMES.has(functionName) ? 'vm' : 'node';
  if (url.includes('/node_modules/')) return 'node_modules';
  if (url.startsWith('node:') || !url.includes('/')) return 'node';
  return 'ours';
}

function packageOf(url: string): string | undefined {
  const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return m?.[1];
}

/** A frame's file, relative to `root` when under it (node_modules paths from the package on). */
function fileOf(url: string, root: string): string {
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(root) ? relative(root, path) : path;
}

/** The frames of one profile, summed by function and location: self and total time, ms. */
export function summarise(name: string, profile: CpuProfile, root: string): ProcessSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // self time per node: each sample lasts until the next one (the last one, the mean interval)
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  const mean = samples.length ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (let i = 0; i < samples.length; i++) {
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : mean;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }

  const keyOf = new Map<number, string>();
  const stats = new Map<string, FrameStat>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const kind = kindOf(url, functionName);
    const fn = functionName || '(anonymous)';
    const frame = url ? `${fn} ${fileOf(url, root)}:${lineNumber + 1}` : fn;
    keyOf.set(n.id, frame);
    if (!stats.has(frame)) stats.set(frame, { frame, kind, pkg: packageOf(url), selfMs: 0, totalMs: 0 });
  }

  // total time: a node's subtree, counted once per frame even when the frame recurses (only at its
  // outermost occurrence on a path)
  const root0 = profile.nodes[0];
  // nodes in or below the module loader are start-up work, summed apart
  const isLoader = (id: number) => byId.get(id)!.callFrame.url.startsWith(MODULE_LOADER);
  let startupUs = 0;
  const onPath = new Map<string, number>();
  const inclusive = new Map<number, number>();
  const stack: { id: number; child: number; loading: boolean }[] = root0
    ? [{ id: root0.id, child: 0, loading: false }]
    : [];
  if (root0) onPath.set(keyOf.get(root0.id)!, 1);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const node = byId.get(top.id)!;
    const children = node.children ?? [];
    if (top.child < children.length) {
      const next = children[top.child++];
      const key = keyOf.get(next)!;
      onPath.set(key, (onPath.get(key) ?? 0) + 1);
      stack.push({ id: next, child: 0, loading: top.loading || isLoader(next) });
      continue;
    }
    stack.pop();
    if (top.loading) {
      startupUs += selfUs.get(node.id) ?? 0;
      selfUs.delete(node.id);
    }
    const total = (selfUs.get(node.id) ?? 0) + children.reduce((sum, c) => sum + (inclusive.get(c) ?? 0), 0);
    inclusive.set(node.id, total);
    const key = keyOf.get(node.id)!;
    const stat = stats.get(key)!;
    stat.selfMs += (selfUs.get(node.id) ?? 0) / 1000;
    const depth = onPath.get(key)!;
    if (depth === 1) stat.totalMs += total / 1000;
    onPath.set(key, depth - 1);
  }

  const byKind: Record<FrameKind, number> = { ours: 0, node_modules: 0, node: 0, vm: 0 };
  const packages = new Map<string, number>();
  let sampledMs = 0;
  for (const s of stats.values()) {
    byKind[s.kind] += s.selfMs;
    sampledMs += s.selfMs;
    if (s.pkg && s.selfMs > 0) packages.set(s.pkg, (packages.get(s.pkg) ?? 0) + s.selfMs);
  }
  return {
    name,
    sampledMs,
    idleMs: stats.get('(idle)')?.selfMs ?? 0,
    startupMs: startupUs / 1000,
    byKind,
    byPackage: [...packages].map(([pkg, selfMs]) => ({ pkg, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    frames: [...stats.values()],
  };
}

const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

/** The text of one process's summary: busy time split by kind, then the top `top` frames of each group. */
export function formatSummary(s: ProcessSummary, top = 12): string {
  const busy = s.sampledMs - s.idleMs;
  const lines = [
    `== ${s.name}: ${(s.sampledMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (not idle), ` +
      `besides ${(s.startupMs / 1000).toFixed(1)} s loading modules (left out)`,
    `   busy self time: ours ${pct(s.byKind.ours, busy)}, node_modules ${pct(s.byKind.node_modules, busy)}, ` +
      `node internals ${pct(s.byKind.node, busy)}, gc/program ${pct(s.byKind.vm - s.idleMs, busy)}`,
    `   node_modules self time by package: ${s.byPackage
      .slice(0, 8)
      .map((p) => `${p.pkg} ${pct(p.selfMs, busy)}`)
      .join(', ')}`,
  ];
  const row = (f: FrameStat, value: number) => `     ${pct(value, busy).padStart(6)}  ${f.frame}`;
  const groups: [string, (f: FrameStat) => boolean][] = [
    ['ours', (f) => f.kind === 'ours'],
    ['node_modules', (f) => f.kind === 'node_modules'],
    ['node internals and V8', (f) => (f.kind === 'node' || f.kind === 'vm') && !VM_FRAMES.has(f.frame)],
  ];
  for (const [measure, value] of [
    ['self', (f: FrameStat) => f.selfMs],
    ['total', (f: FrameStat) => f.totalMs],
  ] as const) {
    for (const [group, test] of groups) {
      const picked = s.frames
        .filter((f) => test(f) && value(f) > 0)
        .sort((a, b) => value(b) - value(a))
        .slice(0, top);
      if (!picked.length) continue;
      lines.push(`   top ${measure} time, ${group} (% of busy):`);
      for (const f of picked) lines.push(row(f, value(f)));
    }
  }
  return lines.join('\n');
}

/** Every .cpuprofile in `dir`, summarised, the busiest process first. */
export function summariseDir(dir: string, root: string): ProcessSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) =>
      summarise(basename(f, '.cpuprofile'), JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, root),
    )
    .sort((a, b) => b.sampledMs - b.idleMs - (a.sampledMs - a.idleMs));
}

export function printSummary(dir: string, root: string, top = 12): void {
  const summaries = summariseDir(dir, root);
  if (!summaries.length) {
    process.stdout.write(`no .cpuprofile files in ${dir}\n`);
    return;
  }
  process.stdout.write(`CPU profiles in ${dir} (relative frame weights; absolute times move with machine load)\n`);
  for (const s of summaries) process.stdout.write(`${formatSummary(s, top)}\n`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 12;
  if (args.length !== 1 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: npm run bench:profile-summary -- <dir of .cpuprofile files> [--top N]\n');
    process.exit(2);
  }
  printSummary(args[0], join(__dirname, '../../..'), top);
}
