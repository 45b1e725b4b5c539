// Three projects; `npm test` runs them all, `npm run test:unit|test:int|test:e2e` one each.
// unit: `*.spec.ts`, no sockets (jest.no-sockets.cjs makes connect and listen throw).
// int: `*.int-spec.ts` (real NATS and Postgres), and the connector specs that talk to a provider fake on loopback.
// e2e: `*.e2e-spec.ts`, every service booted behind the gateway.
const preset = require('./jest.preset.cjs');
const LOOPBACK_SPECS = ['\\.(connector|payment|kyc|trust)\\.spec\\.ts$', '/host-policy\\.spec\\.ts$'];
const project = (displayName, timeoutMs, options) => ({
  ...preset,
  displayName,
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/bench'],
  globals: { TEST_TIMEOUT_MS: timeoutMs },
  ...options,
});
module.exports = {
  maxWorkers: 2,
  projects: [
    project('unit', 20000, {
      testRegex: '\\.spec\\.ts$',
      testPathIgnorePatterns: ['/node_modules/', ...LOOPBACK_SPECS],
      testEnvironment: '<rootDir>/jest.no-sockets.cjs',
    }),
    project('int', 60000, { testRegex: ['\\.int-spec\\.ts$', ...LOOPBACK_SPECS] }),
    project('e2e', 60000, {
      testRegex: '\\.e2e-spec\\.ts$',
      // every answer of the gateway is checked against docs/openapi.json
      setupFilesAfterEnv: ['<rootDir>/apps/gateway-e2e/test/answers.setup.ts'],
    }),
  ],
};
