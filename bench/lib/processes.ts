import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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

/** Starts a compiled entry point pinned to `cpu`, and resolves once it prints a line matching `ready`. */
export function startPinned(
  script: string,
  env: NodeJS.ProcessEnv,
  cpu: string,
  ready: RegExp,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn('taskset', ['-c', cpu, process.execPath, '-r', 'tsconfig-paths/register', join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(root, 'tsconfig.runtime.json') },
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
