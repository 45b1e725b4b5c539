// `npm run bench`: each subject against its baseline, alternating, in one run. This process (the load
// generator) is pinned to CPU 1 and the servers to CPU 0, so neither steals the other's core.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Comparison } from './lib/measure';

/** Every `bench/<name>.bench.ts` exporting `suite = { name, run }` is a suite; `npm run bench -- <name>` runs one. */
function loadSuites(): Record<string, () => Promise<Comparison[]>> {
  const suites: Record<string, () => Promise<Comparison[]>> = {};
  for (const file of readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the suites are the files found in this directory
    const { suite } = require(join(__dirname, file)) as { suite?: { name: string; run: () => Promise<Comparison[]> } };
    if (suite) suites[suite.name] = suite.run;
  }
  return suites;
}

async function main() {
  if (!process.env.BENCH_PINNED) {
    const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    });
    process.exit(r.status ?? 1);
  }
  const SUITES = loadSuites();
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
