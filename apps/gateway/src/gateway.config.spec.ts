import { loadConfig } from '@app/runtime';

import { GatewayConfig } from './gateway.config';

describe(GatewayConfig.name, () => {
  it('cuts off slow clients and caps connections by default', () => {
    const c = loadConfig(GatewayConfig, { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars' });
    expect(c).toMatchObject({
      GATEWAY_HEADERS_TIMEOUT_MS: 10000,
      GATEWAY_REQUEST_TIMEOUT_MS: 30000,
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: 65000,
      GATEWAY_MAX_CONNECTIONS: 10000,
    });
  });

  it('sheds load and rate-limits platform keys by default, each limit off at 0', () => {
    const base = { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars' };
    expect(loadConfig(GatewayConfig, base)).toMatchObject({
      GATEWAY_MAX_IN_FLIGHT: 1000,
      GATEWAY_MAX_EVENT_LOOP_DELAY_MS: 500,
      GATEWAY_RATE_LIMIT_PER_MINUTE: 6000,
    });
    expect(
      loadConfig(GatewayConfig, {
        ...base,
        GATEWAY_MAX_IN_FLIGHT: '0',
        GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '0',
        GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
      }),
    ).toMatchObject({ GATEWAY_MAX_IN_FLIGHT: 0, GATEWAY_MAX_EVENT_LOOP_DELAY_MS: 0, GATEWAY_RATE_LIMIT_PER_MINUTE: 0 });
    for (const name of ['GATEWAY_MAX_IN_FLIGHT', 'GATEWAY_MAX_EVENT_LOOP_DELAY_MS', 'GATEWAY_RATE_LIMIT_PER_MINUTE']) {
      expect(() => loadConfig(GatewayConfig, { ...base, [name]: '-1' })).toThrow(new RegExp(name));
      expect(() => loadConfig(GatewayConfig, { ...base, [name]: 'lots' })).toThrow(new RegExp(name));
    }
  });

  it('names a bad limit', () => {
    expect(() =>
      loadConfig(GatewayConfig, { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars', GATEWAY_MAX_CONNECTIONS: '0' }),
    ).toThrow(/GATEWAY_MAX_CONNECTIONS/);
  });

  it('serves /metrics on PORT unless METRICS_PORT names another port', () => {
    const key = { PLATFORM_API_KEYS: 'a-key-of-sixteen-chars' };
    expect(loadConfig(GatewayConfig, key).METRICS_PORT).toBe(0);
    expect(loadConfig(GatewayConfig, { ...key, PORT: '3000', METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => loadConfig(GatewayConfig, { ...key, METRICS_PORT: '3000' })).toThrow(
      /METRICS_PORT must differ from PORT/,
    );
    expect(() => loadConfig(GatewayConfig, { ...key, METRICS_PORT: '65536' })).toThrow(/METRICS_PORT/);
  });
});
