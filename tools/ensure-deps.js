#!/usr/bin/env node
// Installs dependencies when node_modules is missing or does not match package-lock.json, so that
// `npm start` and `npm test` work as the very first command on a fresh clone.
'use strict';
const { execSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function stale() {
  const lockPath = join(root, 'package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(lockPath)) return 'package-lock.json is missing';
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  for (const [path, meta] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || meta.optional || meta.link) continue;
    const manifest = join(root, path, 'package.json');
    if (!existsSync(manifest)) return `${path.slice(13)} is not installed`;
    const version = JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (meta.version && version !== meta.version)
      return `${path.slice(13)} is ${version}, the lock file wants ${meta.version}`;
  }
  return null;
}

const reason = stale();
if (reason) {
  const cmd = existsSync(join(root, 'package-lock.json'))
    ? 'npm ci --no-audit --no-fund'
    : 'npm install --no-audit --no-fund';
  process.stdout.write(`dependencies: ${reason}; running ${cmd}\n`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}
