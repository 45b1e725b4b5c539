import { join } from 'node:path';

import type { Drill } from '../lib/drill';
import { errorBodies, OUT_DIR } from '../lib/platform';
import { RowBuilder } from '../lib/report';
import { leaks, scanErrorBodies, scanLogs, scanned, secrets } from '../lib/secrets';

/**
 * After every other drill: no secret the drills handed to the platform in any log line of any process
 * (every child's stdout and stderr), in any /metrics page, any error body, or any table of the drills'
 * databases (those two were scanned before each drill's teardown).
 */
export const secretScan: Drill = {
  id: '8',
  name: 'no secret in logs, metrics, error bodies or tables',
  run: async () => {
    const rb = new RowBuilder('8', 'secrets after all drills');
    try {
      await scanLogs(join(OUT_DIR, 'logs'));
      scanErrorBodies(errorBodies);
    } catch (err) {
      rb.check(false, `the scan failed: ${(err as Error).message}`);
    }
    const where = new Map<string, Set<string>>();
    for (const l of leaks) where.set(l.secret, (where.get(l.secret) ?? new Set()).add(l.where));
    rb.set({
      load: `${secrets.size} secrets`,
      fault: '-',
      answered2xx: '-',
      effects: `${scanned.logLines} log lines in ${scanned.logFiles} files, ${scanned.metricsPages} /metrics pages, ${scanned.errorBodies} error bodies, ${scanned.rows} rows in ${scanned.tables} tables`,
      lost: 0,
      duplicated: 0,
      recoveredIn: '-',
      shed: '-',
    });
    rb.note(`scanned for: ${[...new Set(secrets.list().map((s) => s.label.replace(/ \(.*\)$/, '')))].join(', ')}`);
    for (const [secret, places] of where) {
      const list = [...places];
      rb.check(
        false,
        `${secret} found in ${list.length} places: ${list.slice(0, 5).join('; ')}${list.length > 5 ? '; ...' : ''}`,
      );
    }
    rb.check(secrets.size > 0, 'no secret was registered: the scan proves nothing');
    return rb.finish({});
  },
};
