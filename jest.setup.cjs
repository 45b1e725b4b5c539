// Provider fakes listen on loopback over plain http: the test suite allows that host (any port), as a
// sandbox would. Tests of the host policy itself build their own HostPolicy.
process.env.CONNECTOR_ALLOWED_HOSTS ??= '127.0.0.1';
// Jest reads testTimeout from the global config only: each project of jest.config.cjs sets its own here.
if (typeof TEST_TIMEOUT_MS === 'number') jest.setTimeout(TEST_TIMEOUT_MS);
