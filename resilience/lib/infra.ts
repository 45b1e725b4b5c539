import { execFile, execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '@app/testing';

import { onExit, Proc, ROOT } from './proc';

const run = promisify(execFile);

export function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}

function pgBinDir(): string {
  if (process.env.RESILIENCE_PG_BIN) return process.env.RESILIENCE_PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin/initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error(
      'no PostgreSQL server binaries: install postgresql (initdb in /usr/lib/postgresql/<v>/bin) or set RESILIENCE_PG_BIN',
    );
  return join(base, versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of the drill's own (initdb in a temporary directory, its own port, trust auth on
 * 127.0.0.1 only): stopping it touches no other database on the machine. Postgres refuses to run as
 * root, so as root every command runs as the `postgres` user.
 */
export class PgCluster {
  readonly dataDir: string;
  private readonly bin = pgBinDir();
  private readonly asPostgres = process.getuid?.() === 0;
  private removeHook: (() => void) | null = null;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = join(dir, 'pgdata');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/platform`;
  }
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private cmd(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return this.asPostgres ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private async exec(tool: string, args: string[], timeoutMs = 60_000): Promise<void> {
    const [command, argv] = this.cmd(tool, args);
    await run(command, argv, { timeout: timeoutMs, cwd: this.dir });
  }

  async init(): Promise<void> {
    if (this.asPostgres) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
    }
    await this.exec('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-instructions',
    ]);
    // loopback only; fsync off: the drills kill processes, never the machine, so the OS keeps every write
    writeFileSync(
      join(this.dataDir, 'postgresql.auto.conf'),
      [
        `port = ${this.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${this.dir}'`,
        'fsync = off',
        'max_connections = 200',
        'shared_buffers = 64MB',
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    this.removeHook ??= onExit(() => this.stopSync());
    await this.exec(
      'pg_ctl',
      [
        '-D',
        this.dataDir,
        '-l',
        join(this.dir, 'postgres.log'),
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
        'start',
      ],
      90_000,
    );
  }

  /** `fast`: open connections are cut, the cluster shuts down cleanly (every committed write kept). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', mode, 'stop'], 90_000);
  }

  stopSync(): void {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    const [command, argv] = this.cmd('pg_ctl', ['-D', this.dataDir, '-w', '-t', '30', '-m', 'immediate', 'stop']);
    execFileSync(command, argv, { stdio: 'ignore', timeout: 40_000 });
  }

  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) await this.stop('immediate').catch(() => undefined);
    this.removeHook?.();
  }
}

export const NATS_APPS = ['gateway', 'catalog', 'payments', 'kyc', 'comms', 'affiliates', 'crm'] as const;
export type NatsApp = (typeof NATS_APPS)[number];

function natsServerBinary(): string {
  if (process.env.RESILIENCE_NATS_SERVER) return process.env.RESILIENCE_NATS_SERVER;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'])
    if (existsSync(p)) return p;
  throw new Error('nats-server not found (apt-get install nats-server, or set RESILIENCE_NATS_SERVER)');
}

/**
 * A nats-server of the drill's own, with JetStream in a temporary directory and the platform's NATS users
 * (deploy/nats/users.conf, passwords generated per drill): killing it touches no other NATS. A restart
 * keeps its port and store, as a restarted server in production does.
 */
export class NatsServer {
  readonly proc: Proc;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly passwords: Record<NatsApp, string>,
    logPath: string,
  ) {
    mkdirSync(join(dir, 'jetstream'), { recursive: true });
    copyFileSync(join(ROOT, 'deploy/nats/users.conf'), join(dir, 'users.conf'));
    writeFileSync(join(dir, 'nats.conf'), 'jetstream: enabled\ninclude ./users.conf\n');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const app of NATS_APPS) env[`NATS_PASSWORD_${app.toUpperCase()}`] = passwords[app];
    this.proc = new Proc({
      label: 'nats-server',
      command: natsServerBinary(),
      env,
      logPath,
      ready: /Server is ready/,
      cwd: dir,
      args: ['-c', join(dir, 'nats.conf'), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream')],
    });
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.proc.start(30_000);
  }

  kill(): Promise<void> {
    return this.proc.stop('SIGKILL');
  }
  stop(): Promise<void> {
    return this.proc.stop('SIGTERM', 5_000);
  }
}

export { freePort };
