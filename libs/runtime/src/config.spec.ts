import { IsInt, Min } from 'class-validator';

import { ConfigError, consumerRetryOptions, loadConfig, ServiceConfig } from './config';

class WithLimit extends ServiceConfig {
  @IsInt()
  @Min(1)
  BATCH_SIZE = 100;

  FEATURE_ON = false;
}

describe(loadConfig.name, () => {
  it('applies defaults when variables are absent', () => {
    const c = loadConfig(WithLimit, {});
    expect(c.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(c.BATCH_SIZE).toBe(100);
  });

  it('coerces numbers and booleans from the environment', () => {
    const c = loadConfig(WithLimit, { BATCH_SIZE: '25', FEATURE_ON: 'true' });
    expect(c.BATCH_SIZE).toBe(25);
    expect(c.FEATURE_ON).toBe(true);
  });

  it('names every bad variable and never echoes its value', () => {
    let error: unknown;
    try {
      loadConfig(WithLimit, {
        NATS_URL: 'http://secret-host',
        DATABASE_URL: 'mysql://u:hunter2@x/db',
        BATCH_SIZE: 'lots',
        FEATURE_ON: 'maybe',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['NATS_URL', 'DATABASE_URL', 'BATCH_SIZE', 'FEATURE_ON']) expect(message).toContain(name);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('secret-host');
  });

  it('refuses a number out of range', () => {
    expect(() => loadConfig(WithLimit, { BATCH_SIZE: '0' })).toThrow(/BATCH_SIZE/);
  });

  it('reads NATS_USER and NATS_PASSWORD, and leaves both empty for an unauthenticated local NATS', () => {
    expect(loadConfig(ServiceConfig, {})).toMatchObject({ NATS_USER: '', NATS_PASSWORD: '' });
    expect(loadConfig(ServiceConfig, { NATS_USER: 'catalog', NATS_PASSWORD: 's3cret-pw' })).toMatchObject({
      NATS_USER: 'catalog',
      NATS_PASSWORD: 's3cret-pw',
    });
  });

  it('refuses one NATS credential without the other, and a malformed user, naming the variable and not the value', () => {
    expect(() => loadConfig(ServiceConfig, { NATS_USER: 'catalog' })).toThrow(/NATS_PASSWORD/);
    let error: unknown;
    try {
      loadConfig(ServiceConfig, { NATS_PASSWORD: 'hunter2-password' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/NATS_USER/);
    expect((error as Error).message).not.toContain('hunter2');
    expect(() => loadConfig(ServiceConfig, { NATS_USER: 'bad user*', NATS_PASSWORD: 'x' })).toThrow(/NATS_USER/);
  });

  it('refuses a NATS_PASSWORD that is still a deployment template placeholder', () => {
    expect(() =>
      loadConfig(ServiceConfig, { NATS_USER: 'catalog', NATS_PASSWORD: '<REPLACE_ME: NATS password of catalog>' }),
    ).toThrow(/NATS_PASSWORD/);
  });

  it("reads the durable consumers' retry bounds and refuses a consumer that would never deliver", () => {
    expect(consumerRetryOptions(loadConfig(ServiceConfig, {}))).toEqual({
      maxDeliveries: 5,
      retryDelayMs: 1000,
      maxRetryDelayMs: 60000,
      ackWaitMs: 10000,
    });
    expect(
      consumerRetryOptions(
        loadConfig(ServiceConfig, {
          CONSUMER_MAX_DELIVERIES: '3',
          CONSUMER_RETRY_BASE_MS: '200',
          CONSUMER_RETRY_MAX_MS: '800',
          CONSUMER_ACK_WAIT_MS: '5000',
        }),
      ),
    ).toEqual({ maxDeliveries: 3, retryDelayMs: 200, maxRetryDelayMs: 800, ackWaitMs: 5000 });
    expect(() => loadConfig(ServiceConfig, { CONSUMER_MAX_DELIVERIES: '0' })).toThrow(/CONSUMER_MAX_DELIVERIES/);
    expect(() => loadConfig(ServiceConfig, { CONSUMER_ACK_WAIT_MS: '100' })).toThrow(/CONSUMER_ACK_WAIT_MS/);
  });
});

describe('scale-out settings', () => {
  it('gives the event stream 1 replica by default and accepts 1 to 5', () => {
    expect(loadConfig(ServiceConfig, {}).EVENTS_STREAM_REPLICAS).toBe(1);
    expect(loadConfig(ServiceConfig, { EVENTS_STREAM_REPLICAS: '3' }).EVENTS_STREAM_REPLICAS).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three'])
      expect(() => loadConfig(ServiceConfig, { EVENTS_STREAM_REPLICAS: bad })).toThrow(/EVENTS_STREAM_REPLICAS/);
  });

  it('serves /metrics on HTTP_PORT by default and takes a METRICS_PORT that differs from it', () => {
    expect(loadConfig(ServiceConfig, {}).METRICS_PORT).toBe(0);
    expect(loadConfig(ServiceConfig, { HTTP_PORT: '8080', METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => loadConfig(ServiceConfig, { HTTP_PORT: '8080', METRICS_PORT: '8080' })).toThrow(
      /METRICS_PORT must differ from HTTP_PORT/,
    );
    for (const bad of ['-1', '70000', 'nine'])
      expect(() => loadConfig(ServiceConfig, { METRICS_PORT: bad })).toThrow(/METRICS_PORT/);
  });
});
