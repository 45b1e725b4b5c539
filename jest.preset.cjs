// Shared Jest preset: @swc/jest for our TypeScript and for the ESM-only packages NestJS 12 pulls in
// (Jest 30 on Node 20 cannot require() ESM).
const path = require('node:path');
const ESM_ONLY = [
  '@nestjs',
  'cookie',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  '@nats-io',
  'content-disposition',
];
module.exports = {
  testEnvironment: 'node',
  setupFiles: [path.join(__dirname, 'jest.setup.cjs')],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(?:.+/node_modules/)?(?:${ESM_ONLY.join('|')})/)`],
  moduleNameMapper: {
    '^@app/runtime/service$': path.join(__dirname, 'libs/runtime/src/service.ts'),
    '^@app/testing/conformance$': path.join(__dirname, 'libs/testing/src/conformance/index.ts'),
    '^@app/connectors/providers/(.*)$': path.join(__dirname, 'libs/connectors/src/providers/$1'),
    '^@app/([^/]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
};
