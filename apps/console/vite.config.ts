// The operator console: a React single-page app built into dist/console, which the gateway serves at
// /console. `npm run console:dev` serves it with hot reload, proxying the API to a running gateway.
import { join } from 'node:path';

import { defineConfig } from 'vite';

const repo = join(import.meta.dirname, '../..');
const api = process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  resolve: { alias: { '@app/sdk': join(repo, 'libs/sdk/src/index.ts') } },
  // a build of its own (the browser tests' copy) takes its own cache, whose lock would otherwise refuse a
  // concurrent `npm run build` of dist/console
  cacheDir: process.env.CONSOLE_VITE_CACHE_DIR ?? join(repo, 'node_modules/.vite/console'),
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: join(repo, 'dist/console'), emptyOutDir: true, sourcemap: true },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': api, '/payments': api, '/docs-json': api },
  },
});
