// Lint rules that catch real bugs: promises nobody awaits or handles, and any-typed escapes.
// Module boundaries (STYLE.md) are enforced by apps/gateway-e2e/test/boundaries.spec.ts.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.cjs', '**/*.mjs', 'tools/**'] },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'bench/**/*.ts', 'resilience/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
