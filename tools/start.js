#!/usr/bin/env node
// `npm start`: installs what is missing, checks NATS and Postgres (exits within 10 s naming the one
// that is down), builds, and runs the five services and the gateway as separate processes. With no
// Postgres / NATS at the defaults (or with `--embedded`) it runs embedded ones first (tools/embedded.js).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { startEmbedded, probe, DEFAULT_NATS_URL, DEFAULT_DATABASE_URL } = require('./embedded');

const root = join(__dirname, '..');
const SERVICES = ['catalog', 'payments', 'kyc', 'comms', 'affiliates'];
const env = { ...process.env };
env.PUBLIC_BASE_URL ??= `http://127.0.0.1:${env.PORT || 3000}`;
/** Stops the embedded Postgres / NATS, if any; set once they run. */
let stopEmbedded = () => Promise.resolve();
const exit = (code) => void stopEmbedded().then(() => process.exit(code));

async function preflight() {
  const hide = (u) => u.replace(/\/\/([^@/]*)@/, '//***@');
  const failures = [];
  await probe(env.NATS_URL, 4222, 4000).catch((err) =>
    failures.push(
      `cannot reach NATS at ${hide(env.NATS_URL)} (${err.message}).\n  Start one: \`docker compose up -d nats\`, or Debian's package: ` +
        '`apt-get install nats-server && nats-server -js -a 127.0.0.1 -p 4222 &`; or set NATS_URL.',
    ),
  );
  await probe(env.DATABASE_URL, 5432, 4000).catch((err) =>
    failures.push(
      `cannot reach Postgres at ${hide(env.DATABASE_URL)} (${err.message}).\n  Start one: \`docker compose up -d postgres\`, or Debian's package: ` +
        '`apt-get install postgresql && pg_ctlcluster 15 main start`; or set DATABASE_URL.',
    ),
  );
  if (failures.length) {
    process.stderr.write(`npm start: ${failures.join('\n')}\n`);
    exit(1);
    return false;
  }
  return true;
}

/** Development secrets when none are configured: generated once, kept in .dev-secrets.json (git-ignored). */
function devSecrets() {
  const file = join(root, '.dev-secrets.json');
  let secrets = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  if (!secrets) {
    secrets = {
      PLATFORM_API_KEYS: `dev-${randomBytes(24).toString('hex')}`,
      VAULT_MASTER_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  for (const [k, v] of Object.entries(secrets)) {
    if (!env[k]) {
      env[k] = v;
      if (k === 'PLATFORM_API_KEYS')
        process.stdout.write(`PLATFORM_API_KEYS is not set: using the development key in .dev-secrets.json\n`);
    }
  }
}

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      const body = await res.json();
      if (body.status === 'ok') return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function main() {
  const embedded = await startEmbedded({ env, argv: process.argv.slice(2), root });
  stopEmbedded = embedded.stop;
  // a signal while building stops the embedded ones; once the services run, stopAll drains them first
  let onSignal = () => exit(0);
  process.on('SIGINT', () => onSignal());
  process.on('SIGTERM', () => onSignal());
  Object.assign(env, embedded.vars);
  env.NATS_URL ??= DEFAULT_NATS_URL;
  env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
  if (!(await preflight())) return;
  execFileSync(process.execPath, [join(__dirname, 'ensure-deps.js')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(__dirname, 'build.js')], { stdio: 'inherit' });
  devSecrets();
  const children = [];
  let stopping = false;
  const stopAll = (code) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() =>
      exit(code),
    );
  };
  // against a NATS with users (deploy/nats/users.conf) each process logs in as its app, with the
  // password the server reads, NATS_PASSWORD_<APP>; without those a local unauthenticated NATS is used
  const natsLogin = (app) => {
    const pass = env[`NATS_PASSWORD_${app.toUpperCase()}`];
    return pass ? { NATS_USER: app, NATS_PASSWORD: pass } : {};
  };
  const run = (app) => {
    const child = spawn(
      process.execPath,
      ['-r', 'tsconfig-paths/register', join(root, `dist/apps/${app}/src/main.js`)],
      {
        cwd: root,
        env: { ...env, ...natsLogin(app), TS_NODE_PROJECT: join(root, 'tsconfig.runtime.json') },
        stdio: 'inherit',
      },
    );
    child.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`npm start: ${app} exited with code ${code}; stopping the others\n`);
        stopAll(code || 1);
      }
    });
    children.push(child);
  };
  for (const s of SERVICES) run(s);
  run('gateway');
  onSignal = () => stopAll(0);
  const port = env.PORT || '3000';
  const url = `http://127.0.0.1:${port}`;
  if (await waitForHealth(url, 60000)) {
    process.stdout.write(`\nPlatform is up.\n  Gateway: ${url}\n  API docs: ${url}/docs\n  Health: ${url}/health\n\n`);
  } else if (!stopping) {
    process.stderr.write(`npm start: the gateway at ${url} did not report healthy within 60 s\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`npm start: ${err.message}\n`);
  exit(1);
});
