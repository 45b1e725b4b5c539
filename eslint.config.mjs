// Lint rules that catch real bugs (promises nobody awaits or handles, any-typed escapes), and the module
// boundaries on the Nx tags each project.json declares. What the gateway loads through its imports'
// imports is checked by apps/gateway-e2e/test/boundaries.spec.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

const readJson = (path) => JSON.parse(readFileSync(join(import.meta.dirname, path), 'utf8'));
/** One element per project and tag: apps/gateway is both `type:app` and `scope:gateway`. */
const elements = ['apps', 'libs'].flatMap((kind) =>
  readdirSync(join(import.meta.dirname, kind)).flatMap((name) => {
    const { tags } = readJson(`${kind}/${name}/project.json`);
    return tags.map((type) => ({ type, pattern: `${kind}/${name}`, partialMatch: false }));
  }),
);
const scopes = (kind) =>
  elements.flatMap(({ type, pattern }) => (type.startsWith('scope:') && pattern.startsWith(kind) ? [type] : []));
/** Every app but the e2e suite, which boots the services it drives. */
const appScopes = scopes('apps/').filter((scope) => scope !== 'scope:gateway-e2e');
const element = (...types) => ({ element: { types: { anyOf: types } } });
const external = (...sources) => ({ module: { origin: 'external', source: sources } });
/** Libs are reached through their @app/* aliases only: the files tsconfig.base.json maps them to. */
const { paths } = readJson('tsconfig.base.json').compilerOptions;
const entryFile = (alias) => paths[alias][0].replace(/^\.\//, '');
/** A wildcard alias (`@app/connectors/providers/*`) opens only the provider fakes that tests start. */
const entryGlob = (alias) => (alias.endsWith('*') ? `${entryFile(alias)}/*.fake.ts` : entryFile(alias));
const entryPoints = `{${Object.keys(paths).map(entryGlob)}}`;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.cjs', '**/*.mjs', 'tools/**'] },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'bench/**/*.ts', 'resilience/**/*.ts', 'sandbox/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      // `const { secret, ...rest } = row` is how a field is left out
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // The operator console (apps/console): browser TSX, type-checked by its own tsconfig (DOM libs, JSX).
    files: ['apps/console/**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // These specs assert on parsed YAML and JSON documents, which are untyped by nature.
    files: ['apps/gateway-e2e/test/deploy-files.spec.ts', 'apps/gateway-e2e/test/deploy-k8s.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['apps/**/*.ts', 'apps/console/**/*.tsx', 'libs/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/elements-single-match': false,
      'import/resolver': { typescript: { project: 'tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          checkAllOrigins: true,
          policies: [
            // an app's integration tests (apps/<app>/test) may boot the services it talks to
            ...appScopes.map((scope) => ({
              from: { ...element(scope), file: { path: 'apps/*/src/**' } },
              disallow: { to: { element: { types: { anyOf: ['type:app'], noneOf: [scope] } } } },
              message: 'apps never import another app',
            })),
            ...scopes('').map((scope) => ({
              from: element(scope),
              disallow: {
                to: { element: { types: { anyOf: ['type:lib'], noneOf: [scope] } }, file: { path: `!${entryPoints}` } },
              },
              message: 'another project is reached through its @app/* alias, never by a path into its files',
            })),
            {
              from: element('type:lib'),
              disallow: { to: element('type:app') },
              message: 'libs never import apps',
            },
            {
              from: element('scope:gateway'),
              disallow: {
                to: [element('scope:persistence', 'scope:connectors', 'scope:vault'), external('typeorm', 'pg')],
              },
              message: 'the gateway has no entities, connectors, vault or database access',
            },
            {
              from: element('scope:gateway'),
              disallow: { to: { file: { path: entryFile('@app/runtime/service') } } },
              message: 'the gateway takes @app/runtime, never startService and the Postgres it brings',
            },
            {
              from: element('scope:contracts'),
              disallow: {
                to: { element: { types: { anyOf: ['type:lib', 'type:app'], noneOf: ['scope:contracts'] } } },
              },
              message: 'contracts depend on nothing of ours',
            },
          ],
        },
      ],
    },
  },
);
