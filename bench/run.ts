// `npm run bench`: each subject against its baseline, alternating, in one run. This process (the load
// generator) is pinned to CPU 1 and the servers to CPU 0, so neither steals the other's core.
import { spawnSync } from 'node:child_process';
import { foundationBench } from './foundation.bench';
import type { Comparison } from './lib/measure';

const SUITES: Record<string, () => Promise<Comparison[]>> = { foundation: foundationBench };

async function main() {
  if (!process.env.BENCH_PINNED) {
    const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' },
    });
    process.exit(r.status ?? 1);
  }
  const wanted = process.argv.slice(2).filter((a) => a in SUITES);
  const suites = wanted.length ? wanted : Object.keys(SUITES);
  process.stdout.write(`benchmarks on ${new Date().toISOString()} (node ${process.version})\n\n`);
  const all: Comparison[] = [];
  for (const name of suites) all.push(...(await SUITES[name]()));
  process.stdout.write('\nsummary\n');
  for (const c of all) process.stdout.write(`  ${c.ratio.toFixed(2)}  (aim ${c.aim})  ${c.name}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
