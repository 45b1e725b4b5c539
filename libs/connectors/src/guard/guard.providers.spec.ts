import { Metrics } from '@app/observability';
import { ConfigError, loadConfig } from '@app/runtime';

import { ConnectorError } from '../connector-error';
import { ConnectorCallerConfig } from './guard.config';
import { guardsFromConfig } from './guard.providers';

describe('ConnectorCallerConfig', () => {
  it('has generous defaults and reads the CONNECTOR_* variables', () => {
    expect(loadConfig(ConnectorCallerConfig, {})).toMatchObject({
      CONNECTOR_BREAKER_FAILURES: 5,
      CONNECTOR_BREAKER_COOLDOWN_MS: 30_000,
      CONNECTOR_MAX_CONCURRENCY: 32,
      CONNECTOR_RETRY_AFTER_MAX_MS: 300_000,
      CONNECTOR_HEALTH_WINDOW_MS: 60_000,
      CONNECTOR_HEALTH_PUBLISH_MS: 5000,
    });
    expect(
      loadConfig(ConnectorCallerConfig, { CONNECTOR_BREAKER_FAILURES: '2', CONNECTOR_MAX_CONCURRENCY: '8' }),
    ).toMatchObject({ CONNECTOR_BREAKER_FAILURES: 2, CONNECTOR_MAX_CONCURRENCY: 8 });
  });

  it('refuses values that cannot work, naming the variable', () => {
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(ConnectorCallerConfig, env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ CONNECTOR_BREAKER_FAILURES: '0' }).join()).toMatch(/CONNECTOR_BREAKER_FAILURES/);
    expect(problems({ CONNECTOR_MAX_CONCURRENCY: 'lots' }).join()).toMatch(
      /CONNECTOR_MAX_CONCURRENCY must be a number/,
    );
    expect(problems({ CONNECTOR_BREAKER_COOLDOWN_MS: '5' }).join()).toMatch(/CONNECTOR_BREAKER_COOLDOWN_MS/);
    expect(problems({ CONNECTOR_HEALTH_PUBLISH_MS: '1.5' }).join()).toMatch(/CONNECTOR_HEALTH_PUBLISH_MS/);
  });
});

describe('guardsFromConfig', () => {
  it('observes every call in connector_request_duration_seconds by provider, operation and outcome', async () => {
    const metrics = new Metrics('test', { defaultMetrics: false });
    const guards = guardsFromConfig(loadConfig(ConnectorCallerConfig, { CONNECTOR_BREAKER_FAILURES: '1' }), metrics);
    await guards.for('sendgrid').run('email.send', async () => 'ok');
    await guards
      .for('sendgrid')
      .run('email.send', async () => {
        throw new ConnectorError('timeout', 'no answer from api.sendgrid.com');
      })
      .catch(() => undefined);
    await guards
      .for('sendgrid')
      .run('email.send', async () => 'never')
      .catch(() => undefined);
    const text = await metrics.registry.metrics();
    for (const outcome of ['ok', 'timeout', 'breaker_open']) {
      expect(text).toContain(
        `connector_request_duration_seconds_count{service="test",provider="sendgrid",operation="email.send",outcome="${outcome}"} 1`,
      );
    }
  });
});
