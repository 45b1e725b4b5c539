// `npm run bench`: each subject against its baseline, alternating, in one run. This process (the load
// generator) is pinned to CPU 1 and the servers to CPU 0, so neither steals the other's core.
//
//   npm run bench                          every suite
//   npm run bench -- foundation kyc        the named suites
//   npm run bench -- volume                comms, kyc and affiliates on empty tables, then on 1M-row tables
//                                          (named only; bench/volume.bench.ts)
//   npm run bench -- foundation --only pipeline,transport
//                                          the named parts of a suite (BENCH_PARTS; foundation: pipeline,
//                                          hop, transport, outbox)
//   npm run bench -- --profile foundation  one suite with every process of the run (this load generator
//                                          and each server it starts) under `node --cpu-prof`, into
//                                          artifacts/profiles/<suite>/<timestamp>/, summarised at the end
//                                          (again: npm run bench:profile-summary -- <dir>)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Comparison } from './lib/measure';
import { BENCH_TRACING_OFF, benchSettings } from './lib/processes';
import { printSummary } from './lib/profile-summary';

const root = join(__dirname, '..', '..');

/** Every `bench/<name>.bench.ts` exporting `suite = { name, run }` is a suite; `npm run bench -- <name>` runs one. */
interface Suite {
  name: string;
  run: () => Promise<Comparison[]>;
  /** Left out of a run that names no suite (volume: it repeats three others). */
  onlyWhenNamed?: boolean;
}

function loadSuites(): Record<string, Suite> {
  const suites: Record<string, Suite> = {};
  for (const file of readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the suites are the files found in this directory
    const { suite } = require(join(__dirname, file)) as { suite?: Suite };
    if (suite) suites[suite.name] = suite;
  }
  return suites;
}

interface Cli {
  suites: string[];
  profile: boolean;
  parts?: string;
}

function parseCli(argv: string[], known: string[]): Cli {
  const cli: Cli = { suites: [], profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile') cli.profile = true;
    else if (a === '--only') cli.parts = argv[++i];
    else if (known.includes(a)) cli.suites.push(a);
    else throw new Error(`unknown argument ${a}: suites are ${known.join(', ')}; flags --profile, --only <parts>`);
  }
  if (cli.profile && cli.suites.length !== 1) throw new Error('--profile takes exactly one suite');
  if (cli.parts !== undefined && !/^[a-z]+(,[a-z]+)*$/.test(cli.parts)) throw new Error('--only takes a,b,c');
  return cli;
}

/** Re-runs this script pinned to CPU 1, under --cpu-prof when profiling; returns its exit status. */
function runPinned(cli: Cli): number {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_PINNED: '1' };
  if (cli.parts) env.BENCH_PARTS = cli.parts;
  const profArgs: string[] = [];
  let dir: string | undefined;
  if (cli.profile) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    dir = join(
      root,
      'artifacts',
      'profiles',
      cli.suites[0] + (cli.parts ? `-${cli.parts.replace(/,/g, '+')}` : ''),
      stamp,
    );
    mkdirSync(dir, { recursive: true });
    env.BENCH_PROFILE_DIR = dir;
    profArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-name=runner.cpuprofile');
  }
  const r = spawnSync(
    'taskset',
    ['-c', '1', process.execPath, ...profArgs, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env },
  );
  if (dir && r.status === 0) {
    process.stdout.write('\n');
    printSummary(dir, root);
  }
  return r.status ?? 1;
}

async function main() {
  const SUITES = loadSuites();
  const cli = parseCli(process.argv.slice(2), Object.keys(SUITES));
  if (!process.env.BENCH_PINNED) process.exit(runPinned(cli));
  const suites = cli.suites.length ? cli.suites : Object.keys(SUITES).filter((k) => !SUITES[k].onlyWhenNamed);
  // suites that run a service in this process get tracing off too
  Object.assign(process.env, BENCH_TRACING_OFF);
  process.stdout.write(
    `benchmarks on ${new Date().toISOString()} (node ${process.version})${process.env.BENCH_PARTS ? `, parts ${process.env.BENCH_PARTS}` : ''}` +
      `${process.env.BENCH_PROFILE_DIR ? `, every process under --cpu-prof into ${process.env.BENCH_PROFILE_DIR} (profiling slows them: ratios of a profiled run are not the figures)` : ''}\n${benchSettings()}\n\n`,
  );
  const all: Comparison[] = [];
  for (const name of suites) all.push(...(await SUITES[name].run()));
  process.stdout.write('\nsummary\n');
  for (const c of all) process.stdout.write(`  ${c.ratio.toFixed(2)}  (aim ${c.aim})  ${c.name}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
