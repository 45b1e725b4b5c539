#!/usr/bin/env node
// `npm run sandbox` (after the build): runs embedded Postgres / NATS when none answer at the defaults
// or with `--embedded` (tools/embedded.js), then the sandbox (dist/sandbox/run.js) on them; stops them
// when the sandbox exits or on SIGINT/SIGTERM.
'use strict';
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const { startEmbedded } = require('./embedded');

const root = join(__dirname, '..');

async function main() {
  const embedded = await startEmbedded({ env: process.env, argv: process.argv.slice(2), root });
  const child = spawn(process.execPath, ['-r', 'tsconfig-paths/register', join(root, 'dist/sandbox/run.js')], {
    cwd: root,
    env: { ...process.env, ...embedded.vars, TS_NODE_PROJECT: join(root, 'tsconfig.runtime.json') },
    stdio: 'inherit',
  });
  const forward = (signal) => () => child.kill(signal);
  process.once('SIGINT', forward('SIGINT'));
  process.once('SIGTERM', forward('SIGTERM'));
  child.once('exit', (code) => void embedded.stop().then(() => process.exit(code ?? 0)));
}

main().catch((err) => {
  process.stderr.write(`npm run sandbox: ${err.message}\n`);
  process.exit(1);
});
