// `npm run test:resilience`: fault drills against the real platform processes, each on its own nats-server
// and Postgres cluster on loopback. Prints the report table and writes it to dist/resilience/report.md;
// exits 1 when a drill saw a loss, a duplicate, a crash, a leaked secret or a limit broken.
// `npm run test:resilience -- <id or name>...` runs some drills only (the secret scan always runs last).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { consumerKill } from './drills/consumer-kill';
import { natsRestart } from './drills/nats-restart';
import { overload } from './drills/overload';
import { poison } from './drills/poison';
import { postgresStop } from './drills/postgres-stop';
import { replicas } from './drills/replicas';
import { secretScan } from './drills/secret-scan';
import { serviceKill } from './drills/service-kill';
import type { Drill } from './lib/drill';
import { OUT_DIR } from './lib/platform';
import { ROOT } from './lib/proc';
import { details, markdownTable, RowBuilder, type Row } from './lib/report';

const DRILLS: Drill[] = [serviceKill, natsRestart, postgresStop, consumerKill, poison, replicas, overload];
/** A drill that takes longer than this is stopped and failed (its processes die with the runner). */
const DRILL_TIMEOUT_MS = 6 * 60_000;

function timeout(ms: number, what: string): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const drills = wanted.length
    ? DRILLS.filter((d) => wanted.includes(d.id) || wanted.some((w) => d.name.includes(w)))
    : DRILLS;
  mkdirSync(OUT_DIR, { recursive: true });
  const started = Date.now();
  process.stdout.write(
    `resilience drills on ${new Date().toISOString()} (node ${process.version}): ${drills.map((d) => d.id).join(', ')}, then the secret scan\n`,
  );
  const rows: Row[] = [];
  for (const d of drills) {
    process.stdout.write(`\n== drill ${d.id}: ${d.name}\n`);
    const t = timeout(DRILL_TIMEOUT_MS, `drill ${d.id}`);
    let row: Row;
    try {
      row = await Promise.race([d.run(), t.promise]);
    } catch (err) {
      const rb = new RowBuilder(d.id, d.name);
      rb.check(false, (err as Error).message);
      row = rb.finish({});
    } finally {
      t.cancel();
    }
    rows.push(row);
    process.stdout.write(
      `${row.failures.length ? 'FAIL' : 'pass'} in ${row.timeS} s${row.failures.map((f) => `\n  - ${f}`).join('')}\n`,
    );
  }
  rows.push(await secretScan.run());

  const table = markdownTable(rows);
  const report = [
    `# Resilience drills`,
    '',
    `Run on ${new Date().toISOString()}, node ${process.version}, ${Math.round((Date.now() - started) / 1000)} s in all.`,
    '',
    table,
    '',
    '## Details',
    '',
    details(rows),
    '',
  ].join('\n');
  const file = join(OUT_DIR, 'report.md');
  writeFileSync(file, report);
  process.stdout.write(`\n${table}\n\n${details(rows)}\n\nreport: ${file.slice(ROOT.length + 1)}\n`);
  return rows.some((r) => r.failures.length) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`resilience: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
