import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';

/**
 * The module boundaries are lint rules (eslint.config.mjs). What lint cannot see is what the
 * gateway process loads through its imports' imports: its entry runs in a plain Node process (sources
 * compiled on require with SWC, @app/* resolved by the tsconfig paths) and stops at config validation,
 * before it opens any socket; on exit it lists every module in require.cache.
 */
const root = join(__dirname, '../../..');

const loader = `
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');
const { paths } = require('./tsconfig.base.json').compilerOptions;
require('tsconfig-paths').register({ baseUrl: process.cwd(), paths });
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
process.on('exit', () => process.stdout.write(JSON.stringify(Object.keys(require.cache))));
require('./apps/gateway/src/main.ts');
`;

function gatewayModules(): string[] {
  const run = spawnSync(process.execPath, ['-e', loader], {
    cwd: root,
    env: { PATH: process.env.PATH, NATS_URL: 'not-a-url' },
    encoding: 'utf8',
    timeout: 60000,
  });
  // Exit 2 with NATS_URL named: the entry and everything it imports ran, up to config validation.
  expect({ status: run.status, stderr: run.stderr }).toEqual({
    status: 2,
    stderr: expect.stringMatching(/NATS_URL/),
  });
  return (JSON.parse(run.stdout) as string[]).map((path) => relative(root, path));
}

describe('what the gateway process loads', () => {
  it('no TypeORM, no Postgres driver, no persistence, connectors or vault', () => {
    const loaded = gatewayModules();
    expect(loaded).toContain('apps/gateway/src/gateway.ts');
    const forbidden = loaded.flatMap((path) => {
      const m = /(?:^|\/)node_modules\/(typeorm|pg)\/|^libs\/(persistence|connectors|vault)\//.exec(path);
      return m ? [m[1] ?? `libs/${m[2]}`] : [];
    });
    expect([...new Set(forbidden)]).toEqual([]);
  });
});
