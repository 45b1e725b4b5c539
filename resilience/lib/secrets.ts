import { randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { Platform } from './platform';

export interface Leak {
  where: string;
  secret: string;
}

/**
 * Every secret a drill handed to the platform (NATS passwords, API key, vault key, provider credentials,
 * webhook and affiliate secrets), by label. The scan reports a leak by label and place, never the value.
 */
class SecretRegistry {
  private readonly values = new Map<string, string>();

  add(label: string, value: string): void {
    if (value.length < 8) throw new Error(`secret ${label} is too short to be scanned for reliably`);
    this.values.set(value, label);
  }

  get size(): number {
    return this.values.size;
  }

  /** Labels of the secrets found in `text`. */
  findIn(text: string): string[] {
    const found: string[] = [];
    for (const [value, label] of this.values) if (text.includes(value)) found.push(label);
    return found;
  }

  list(): { label: string; value: string }[] {
    return [...this.values].map(([value, label]) => ({ label, value }));
  }
}

export const secrets = new SecretRegistry();

/** Leaks found while the drills ran (their databases and /metrics are scanned before each teardown). */
export const leaks: Leak[] = [];
export const scanned = { tables: 0, rows: 0, metricsPages: 0, logLines: 0, logFiles: 0, errorBodies: 0 };

/**
 * Every table of every schema of the drill's database, searched for every plaintext secret in SQL (each
 * row's text form against each secret). A canary row planted first must be found, or the scan itself is
 * broken and counts as a leak.
 */
export async function scanDatabase(p: Platform): Promise<void> {
  const canary = `canary-${randomBytes(12).toString('hex')}`;
  await p.sql(`CREATE TABLE public.resilience_canary (v text)`);
  await p.sql(`INSERT INTO public.resilience_canary (v) VALUES ($1)`, [canary]);
  const tables = await p.sql<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const all = [...secrets.list(), { label: 'canary', value: canary }];
  let canaryFound = false;
  for (const t of tables) {
    const ident = `"${t.schema.replace(/"/g, '""')}"."${t.name.replace(/"/g, '""')}"`;
    const [{ n }] = await p.sql<{ n: string }>(`SELECT count(*) AS n FROM ${ident}`);
    scanned.tables++;
    scanned.rows += Number(n);
    const hits = await p.sql<{ i: string }>(
      `SELECT DISTINCT s.i FROM (SELECT x::text AS t FROM ${ident} x) r
       CROSS JOIN unnest($1::text[]) WITH ORDINALITY AS s(v, i) WHERE strpos(r.t, s.v) > 0`,
      [all.map((s) => s.value)],
    );
    for (const h of hits) {
      const hit = all[Number(h.i) - 1];
      if (hit.value === canary) canaryFound = true;
      else leaks.push({ where: `${p.opts.name}: table ${t.schema}.${t.name}`, secret: hit.label });
    }
  }
  await p.sql(`DROP TABLE public.resilience_canary`);
  if (!canaryFound)
    leaks.push({ where: `${p.opts.name}: the database scan (its canary row was not found)`, secret: 'canary' });
}

export async function scanMetrics(p: Platform): Promise<void> {
  for (const page of await p.metricsPages()) {
    scanned.metricsPages++;
    for (const label of secrets.findIn(page.text))
      leaks.push({ where: `${p.opts.name}: ${page.label} /metrics`, secret: label });
  }
}

/** Every line of every log file under `dir` (each child's stdout and stderr). */
export async function scanLogs(dir: string): Promise<void> {
  const files = (function walk(d: string): string[] {
    return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  })(dir);
  for (const file of files) {
    scanned.logFiles++;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      scanned.logLines++;
      for (const label of secrets.findIn(line))
        leaks.push({ where: `${file.slice(dir.length + 1)}:${n}`, secret: label });
    }
  }
}

export function scanErrorBodies(bodies: Iterable<string>): void {
  for (const body of bodies) {
    scanned.errorBodies++;
    // the place only: the body itself holds the secret
    for (const label of secrets.findIn(body))
      leaks.push({ where: `error body #${scanned.errorBodies}`, secret: label });
  }
}
