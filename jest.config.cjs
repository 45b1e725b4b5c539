// `npm test` runs every project's tests: unit specs, integration specs (real NATS and Postgres) and e2e.
const preset = require('./jest.preset.cjs');
module.exports = {
  ...preset,
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testTimeout: 60000,
  maxWorkers: 2,
};
