import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
