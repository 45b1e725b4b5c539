import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

/** The repository root, seen from dist/resilience/lib. */
export const ROOT = join(__dirname, '../../..');

const live = new Set<ChildProcess>();
const exitHooks = new Set<() => void>();

/**
 * Whatever happens to the runner (an exception, Ctrl-C, a CI timeout's SIGTERM), no child process and no
 * Postgres cluster outlives it: children are SIGKILLed and the hooks (pg_ctl stop -m immediate) run.
 */
export function onExit(hook: () => void): () => void {
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

process.on('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      /* best effort at exit */
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`resilience: ${signal}, stopping every child process and cluster\n`);
    process.exit(130);
  });
}

export interface Rss {
  currentMb: number;
  peakMb: number;
}

/** RSS of a live process from /proc (VmRSS now, VmHWM its high-water mark). */
export function readRss(pid: number): Rss | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { currentMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface ProcSpec {
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Every line of stdout and stderr is appended here (the secret scan reads these files). */
  logPath: string;
  /** A line matching this means the process is ready. */
  ready: RegExp;
  cwd?: string;
}

/**
 * One child process that can be killed and started again under the same label. Its output goes to a log
 * file; an exit nobody asked for is recorded as a crash.
 */
export class Proc {
  child: ChildProcess | null = null;
  readyLine = '';
  peakRssMb = 0;
  crashes: string[] = [];
  starts = 0;
  private readonly log: WriteStream;
  private expectingExit = false;

  constructor(readonly spec: ProcSpec) {
    this.log = createWriteStream(spec.logPath, { flags: 'a' });
  }

  get label(): string {
    return this.spec.label;
  }
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  get pid(): number | undefined {
    return this.alive ? this.child!.pid : undefined;
  }

  /** Starts the process; resolves with the ready line, rejects if it exits or is not ready in time. */
  start(timeoutMs = 60_000): Promise<string> {
    this.expectingExit = false;
    this.starts++;
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd ?? ROOT,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    live.add(child);
    this.log.write(`--- start #${this.starts} of ${this.label} at ${new Date().toISOString()} ---\n`);
    return new Promise<string>((resolve, reject) => {
      let ready = false;
      let pending = '';
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGKILL');
        reject(new Error(`${this.label} was not ready within ${timeoutMs} ms (see ${this.spec.logPath})`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        this.log.write(chunk);
        if (ready) return;
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        const line = lines.find((l) => this.spec.ready.test(l));
        if (line) {
          ready = true;
          clearTimeout(timer);
          this.readyLine = line;
          resolve(line);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.sample(); // last look is too late for VmHWM; the sampler's previous reading stands
        this.log.write(
          `--- ${this.label} exited (code ${code}, signal ${signal}) at ${new Date().toISOString()} ---\n`,
        );
        if (!ready) {
          clearTimeout(timer);
          reject(
            new Error(
              `${this.label} exited (code ${code}, signal ${signal}) before it was ready (see ${this.spec.logPath})`,
            ),
          );
        } else if (!this.expectingExit) {
          this.crashes.push(`${this.label} exited unexpectedly (code ${code}, signal ${signal})`);
        }
      });
    });
  }

  /** Reads the process's RSS high-water mark into peakRssMb; returns its current RSS. */
  sample(): number | null {
    const pid = this.pid;
    if (pid === undefined) return null;
    const rss = readRss(pid);
    if (!rss) return null;
    this.peakRssMb = Math.max(this.peakRssMb, rss.peakMb, rss.currentMb);
    return rss.currentMb;
  }

  /** Sends the signal and waits for the exit (SIGKILL after `graceMs` if it is still running). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.sample();
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.log.end(() => resolve()));
  }
}

/** Samples every process's RSS every `everyMs` (VmHWM catches peaks between samples). */
export function sampleRss(procs: () => Proc[], everyMs = 500): () => void {
  const timer = setInterval(() => {
    for (const p of procs()) p.sample();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
