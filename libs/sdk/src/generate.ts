import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../../..');
export const SCHEMA_FILE = join(root, 'libs/sdk/src/schema.ts');

/** The SDK's types generated from docs/openapi.json by openapi-typescript, formatted by the repository's prettier. */
export function generateSchema(): string {
  const run = (script: string, args: string[], input?: string) =>
    execFileSync(process.execPath, [join(root, 'node_modules', script), ...args], {
      cwd: root,
      input,
      encoding: 'utf8',
    });
  const types = run('openapi-typescript/bin/cli.js', ['docs/openapi.json', '--default-non-nullable', 'false']);
  return run('prettier/bin/prettier.cjs', ['--stdin-filepath', SCHEMA_FILE], types);
}
