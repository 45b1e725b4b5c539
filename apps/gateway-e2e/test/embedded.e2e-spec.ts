import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';

import { eventually, freePort } from '@app/testing';

const root = join(__dirname, '../../..');

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
