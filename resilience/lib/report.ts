/** One drill's line in the report. Counts are numbers; `failures` says why a drill failed (empty: passed). */
export interface Row {
  drill: string;
  scenario: string;
  load: string;
  fault: string;
  answered2xx: number | string;
  effects: number | string;
  lost: number;
  duplicated: number;
  recoveredIn: string;
  /** 503 answers (load shed or dependency unavailable). */
  shed: number | string;
  timeS: number;
  /** Peak RSS per process, MB. */
  peakRss: Record<string, number>;
  notes: string[];
  failures: string[];
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Collects a drill's figures and the limits it checks; a broken limit becomes a failure, never a throw. */
export class RowBuilder {
  readonly row: Row;
  private readonly started = Date.now();

  constructor(drill: string, scenario: string) {
    this.row = {
      drill,
      scenario,
      load: '',
      fault: '',
      answered2xx: '-',
      effects: '-',
      lost: 0,
      duplicated: 0,
      recoveredIn: '-',
      shed: '-',
      timeS: 0,
      peakRss: {},
      notes: [],
      failures: [],
    };
  }

  set(fields: Partial<Omit<Row, 'notes' | 'failures'>>): this {
    Object.assign(this.row, fields);
    return this;
  }

  note(text: string): this {
    this.row.notes.push(text);
    return this;
  }

  /** Records a failure when `ok` is false. */
  check(ok: boolean, failure: string): boolean {
    if (!ok) this.row.failures.push(failure);
    return ok;
  }

  finish(peakRss: Record<string, number>): Row {
    this.row.timeS = Math.round((Date.now() - this.started) / 100) / 10;
    this.row.peakRss = peakRss;
    return this.row;
  }
}

const cell = (v: unknown) => String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function rssCell(rss: Record<string, number>): string {
  const entries = Object.entries(rss).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return '-';
  return entries.map(([label, mb]) => `${label} ${mb}`).join(', ');
}

export function markdownTable(rows: Row[]): string {
  const head = [
    '#',
    'scenario',
    'load',
    'fault',
    '2xx answered',
    'effects',
    'lost',
    'duplicated',
    'recovered in',
    '503 (shed)',
    'time',
    'peak RSS MB',
    'result',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.drill,
        r.scenario,
        r.load,
        r.fault,
        r.answered2xx,
        r.effects,
        r.lost,
        r.duplicated,
        r.recoveredIn,
        r.shed,
        `${r.timeS} s`,
        rssCell(r.peakRss),
        r.failures.length ? 'FAIL' : 'pass',
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function details(rows: Row[]): string {
  return rows
    .map((r) => {
      const out = [`- **${r.drill}. ${r.scenario}**`];
      for (const n of r.notes) out.push(`  - ${n}`);
      for (const f of r.failures) out.push(`  - FAILED: ${f}`);
      return out.join('\n');
    })
    .join('\n');
}
