import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startService } from '@app/runtime';
import { TEST_VAULT_KEYS } from '@app/testing';
import { catalogService } from '../../catalog/src/definition';

const root = join(__dirname, '../../..');

function npmStart(env: Record<string, string>) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(root, 'tools/start.js')], {
    cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20000,
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
    await expect(startService(catalogService, { env: { NATS_URL: 'nats://127.0.0.1:1', VAULT_MASTER_KEYS: TEST_VAULT_KEYS } }))
      .rejects.toThrow(/cannot reach NATS/);
  });
});
