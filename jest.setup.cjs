// Provider fakes listen on loopback over plain http: the test suite allows that host (any port), as a
// sandbox would. Tests of the host policy itself build their own HostPolicy.
process.env.CONNECTOR_ALLOWED_HOSTS ??= '127.0.0.1';
