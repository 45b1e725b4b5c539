#!/usr/bin/env node
// Compiles every app and lib into dist/ (CommonJS) with the TypeScript 7 compiler, then builds the
// operator console (apps/console) with Vite into dist/console, which the gateway serves at /console.
// dist/ is rebuilt from scratch so that a deleted source file (a removed connector, say) cannot linger.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/ts7/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(
  process.execPath,
  [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'apps/console/vite.config.ts')],
  { cwd: root, stdio: 'inherit' },
);
