import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';

const root = join(__dirname, '../../..');

/**
 * The gateway's overload limits, set explicitly for benchmarks: off, so a benchmark measures the
 * gateway's throughput instead of its shedding (a 503 or 429 answers faster than the work it refuses).
 */
export const GATEWAY_BENCH_LIMITS = {
  GATEWAY_MAX_IN_FLIGHT: '0',
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '0',
  GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
} as const;

/**
 * Every benchmark process runs with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: no SDK is loaded, the
 * default), whatever the caller's environment says.
 */
export const BENCH_TRACING_OFF = { OTEL_EXPORTER_OTLP_ENDPOINT: '' } as const;

/** The line run.ts prints: what every benchmark process is run with. */
export function benchSettings(): string {
  const limits = Object.entries(GATEWAY_BENCH_LIMITS)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `tracing off in every process (OTEL_EXPORTER_OTLP_ENDPOINT unset); gateway overload limits set explicitly, off: ${limits}`;
}

let started = 0;

/**
 * `node --cpu-prof` options for a child when the run is profiled (BENCH_PROFILE_DIR, set by run.ts
 * --profile): its profile is named after the app (`gateway-3.cpuprofile`) or the bench server.
 */
function profileArgs(script: string): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return [];
  const app = /apps\/([^/]+)\//.exec(script)?.[1] ?? basename(script, '.js');
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${app}-${++started}.cpuprofile`];
}

/**
 * Starts a compiled entry point pinned to `cpu`, and resolves once it prints a line matching `ready`.
 * Under --profile, its CPU profile is written when it exits after stopAll's SIGTERM.
 */
export function startPinned(
  script: string,
  env: NodeJS.ProcessEnv,
  cpu: string,
  ready: RegExp,
): Promise<{ child: ChildProcess; line: string }> {
  const args = [...profileArgs(script), '-r', 'tsconfig-paths/register', join(root, script)];
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args], {
    cwd: root,
    env: { ...process.env, ...env, ...BENCH_TRACING_OFF, TS_NODE_PROJECT: join(root, 'tsconfig.runtime.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => ready.test(l));
      if (line) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, line });
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}
