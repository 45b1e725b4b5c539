import { loadConfig } from '@app/runtime';
import { GatewayConfig } from './gateway.config';

describe(GatewayConfig.name, () => {
  it('cuts off slow clients and caps connections by default', () => {
    const c = loadConfig(GatewayConfig, { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars' });
    expect(c).toMatchObject({
      GATEWAY_HEADERS_TIMEOUT_MS: 10000, GATEWAY_REQUEST_TIMEOUT_MS: 30000,
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: 65000, GATEWAY_MAX_CONNECTIONS: 10000,
    });
  });

  it('names a bad limit', () => {
    expect(() => loadConfig(GatewayConfig, { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars', GATEWAY_MAX_CONNECTIONS: '0' }))
      .toThrow(/GATEWAY_MAX_CONNECTIONS/);
  });

  it('serves /metrics on PORT unless METRICS_PORT names another port', () => {
    const key = { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars' };
    expect(loadConfig(GatewayConfig, key).METRICS_PORT).toBe(0);
    expect(loadConfig(GatewayConfig, { ...key, PORT: '3000', METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => loadConfig(GatewayConfig, { ...key, METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from PORT/);
    expect(() => loadConfig(GatewayConfig, { ...key, METRICS_PORT: '65536' })).toThrow(/METRICS_PORT/);
  });
});
