import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { startService } from '@app/runtime/service';
import { createTestInfra, eventually, freePort, TEST_VAULT_KEYS } from '@app/testing';

import { catalogService } from '../../catalog/src/definition';

const root = join(__dirname, '../../..');

function npmStart(env: Record<string, string>) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(root, 'tools/start.js')], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

describe('start-up against missing dependencies', () => {
  it('npm start exits non-zero within 10 s naming NATS when NATS is unreachable, and says how to get one', () => {
    const run = npmStart({ NATS_URL: 'nats://127.0.0.1:1' });
    expect(run.status).not.toBe(0);
    expect(run.seconds).toBeLessThan(10);
    expect(run.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
    expect(run.stderr).toMatch(/docker compose up -d nats/);
    expect(run.stderr).not.toMatch(/Postgres/);
  });

  it('npm start exits non-zero within 10 s naming Postgres when Postgres is unreachable, without printing its password', () => {
    const run = npmStart({ DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/app' });
    expect(run.status).not.toBe(0);
    expect(run.seconds).toBeLessThan(10);
    expect(run.stderr).toMatch(/cannot reach Postgres/);
    expect(run.stderr).toMatch(/pg_ctlcluster|docker compose up -d postgres/);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('a service refuses to start on a bad variable and names it', async () => {
    await expect(startService(catalogService, { env: { NATS_URL: 'localhost:4222' } })).rejects.toThrow(/NATS_URL/);
  });

  it('a service names the dependency it cannot reach', async () => {
    await expect(
      startService(catalogService, { env: { NATS_URL: 'nats://127.0.0.1:1', VAULT_MASTER_KEYS: TEST_VAULT_KEYS } }),
    ).rejects.toThrow(/cannot reach NATS/);
  });
});

describe('npm start', () => {
  it('builds, migrates and runs the six processes, prints the URLs, and stops them all on SIGTERM', async () => {
    const infra = await createTestInfra();
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'tools/start.js')], {
      cwd: root,
      env: { ...infra.env, PORT: String(port), HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(
        'the platform up, or npm start gone',
        () => out.includes('Platform is up.') || child.exitCode !== null,
        {
          timeoutMs: 150_000,
        },
      ).catch(() => undefined); // the output names what went wrong
      expect(out).toContain(`Gateway: http://127.0.0.1:${port}`);
      expect(out).toContain(`API docs: http://127.0.0.1:${port}/docs`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toEqual({
        status: 'ok',
        checks: Object.fromEntries(
          ['nats', 'catalog', 'payments', 'kyc', 'comms', 'affiliates'].map((k) => [k, { status: 'ok' }]),
        ),
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // every process drained and exited: nothing answers on the gateway port any more
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM'); // start.js stops its six children on SIGTERM
        await exited;
      }
      await infra.cleanup();
    }
  }, 200_000);
});

// in this file, not one of its own: both run tools/build.js, which rebuilds dist/ from scratch, so they
// must not run in parallel workers
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start -- --embedded', () => {
  it('runs its own Postgres and NATS on other loopback ports, migrates into them, and stops them with the platform', async () => {
    // a folder of this test's own: a parallel worker or a second run cannot share it
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-e2e-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EMBEDDED_DATA_DIR: dataDir,
      PORT: String(port),
      HTTP_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL; // explicit URLs would win over the embedded ones
    delete env.NATS_URL;
    const started = Date.now();
    const child = spawn(process.execPath, [join(root, 'tools/start.js'), '--embedded'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(
        'the platform up, or npm start gone',
        () => out.includes('Platform is up.') || child.exitCode !== null,
        {
          timeoutMs: 150_000,
        },
      ).catch(() => undefined); // the output names what went wrong
      const pg = /Embedded Postgres on 127\.0\.0\.1:(\d+) \(pid (\d+)/.exec(out);
      const nats = /Embedded NATS \(JetStream\) on 127\.0\.0\.1:(\d+) \(pid (\d+)/.exec(out);
      expect({ pg: !!pg, nats: !!nats, out }).toMatchObject({ pg: true, nats: true });
      const [pgPort, pgPid, natsPort, natsPid] = [pg![1], pg![2], nats![1], nats![2]].map(Number);
      expect([pgPort, natsPort]).not.toContain(5432);
      expect([pgPort, natsPort]).not.toContain(4222);
      expect(out).toContain('Platform is up.');
      process.stdout.write(`embedded e2e: platform up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', checks: { nats: { status: 'ok' } } });

      // the services migrated into the embedded database, whose data folder is the test's
      expect(existsSync(join(dataDir, 'postgres/PG_VERSION'))).toBe(true);
      const db = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres` });
      await db.connect();
      try {
        const { rows } = await db.query<{ port: number; tables: string }>(
          `select inet_server_port() as port,
                  (select count(*) from information_schema.tables
                    where table_schema not in ('pg_catalog', 'information_schema')) as tables`,
        );
        expect(rows[0].port).toBe(pgPort);
        expect(Number(rows[0].tables)).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
      // and their JetStream streams live in the embedded NATS's store
      const streams = join(dataDir, 'nats/jetstream/$G/streams');
      expect(existsSync(streams) && readdirSync(streams).length).toBeGreaterThan(0);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(pgPid)).toBe(false);
      expect(alive(natsPid)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 200_000);
});

describe('npm run sandbox -- --embedded', () => {
  it('runs the sandbox on its own Postgres and NATS, prints the console URL and the key, and stops them all', async () => {
    if (!existsSync(join(root, 'dist/sandbox/run.js'))) spawnSync(process.execPath, [join(root, 'tools/build.js')]);
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-sandbox-e2e-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      EMBEDDED_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.NATS_URL;
    // what `npm run sandbox` runs after the build
    const child = spawn(process.execPath, [join(root, 'tools/sandbox.js'), '--embedded'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually('the sandbox up, or gone', () => out.includes('Sandbox is up') || child.exitCode !== null, {
        timeoutMs: 90_000,
      }).catch(() => undefined);
      expect(out).toContain(`Console: http://127.0.0.1:${port}/console/`);
      expect(out).toMatch(/API key: \S{16,}/);
      const pids = [...out.matchAll(/Embedded (?:Postgres|NATS \(JetStream\)) on 127\.0\.0\.1:\d+ \(pid (\d+)/g)].map(
        (m) => Number(m[1]),
      );
      expect(pids).toHaveLength(2);
      expect(pids.every(alive)).toBe(true);
      expect(existsSync(join(dataDir, 'postgres/PG_VERSION'))).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(pids.some(alive)).toBe(false);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
