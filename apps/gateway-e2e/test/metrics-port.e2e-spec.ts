// METRICS_PORT on every process: /metrics moves to a listener of its own (the port Prometheus scrapes in
// k8s, which the public gateway Service does not expose) and is a 404 on the public port; unset, it stays.
import type { ServiceName } from '@app/contracts';
import type { RunningService } from '@app/runtime/service';
import { createTestInfra, freePort, LogCapture, TEST_API_KEY, type TestInfra } from '@app/testing';

import type { RunningGateway } from '../../gateway/src/gateway';
import { DEFINITIONS, startDefined, startGateway } from '../src/platform';

const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4/;

describe('METRICS_PORT (gateway and every service, real NATS and Postgres)', () => {
  let infra: TestInfra;
  const logs = new LogCapture();
  const services = new Map<ServiceName, RunningService>();
  let gateway: RunningGateway;
  let plainGateway: RunningGateway;
  let plainService: RunningService;

  beforeAll(async () => {
    infra = await createTestInfra();
    for (const name of Object.keys(DEFINITIONS) as ServiceName[]) {
      const env = { ...infra.env, METRICS_PORT: String(await freePort()) };
      services.set(name, await startDefined(name, { env, logDestination: logs }));
    }
    gateway = await startGateway({
      env: { ...infra.env, METRICS_PORT: String(await freePort()) },
      logDestination: logs,
    });
    plainGateway = await startGateway({ env: infra.env, logDestination: logs });
    plainService = await startDefined('kyc', { env: infra.env, logDestination: logs });
  });
  afterAll(async () => {
    await gateway?.stop();
    await plainGateway?.stop();
    for (const svc of [...services.values(), plainService]) await svc?.stop();
    await infra?.cleanup();
  });

  it("serves the gateway's /metrics on METRICS_PORT only: a problem+json 404 on PORT", async () => {
    expect(new URL(gateway.metricsUrl).port).toBe(String(gateway.config.METRICS_PORT));
    const onPort = await fetch(`${gateway.url}/metrics`);
    expect(onPort.status).toBe(404);
    expect(onPort.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // the API and its probes stay on PORT, and what it serves there is counted on METRICS_PORT
    const echo = await fetch(`${gateway.url}/api/platform/diagnostics/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'payments', message: 'ping' }),
    });
    expect(echo.status).toBe(200);
    expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
    const scrape = await fetch(`${gateway.metricsUrl}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
    const text = await scrape.text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/api\/platform\/diagnostics\/echo"[^}]*status="200"/,
    );
    expect(text).not.toContain(TEST_API_KEY);
  });

  it('answers only GET /metrics on the metrics listener', async () => {
    for (const path of ['/', '/api/platform/diagnostics/noop', '/docs', '/livez']) {
      const res = await fetch(`${gateway.metricsUrl}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it.each(Object.keys(DEFINITIONS) as ServiceName[])(
    "serves %s's /metrics on METRICS_PORT only, a 404 on HTTP_PORT",
    async (name) => {
      const svc = services.get(name)!;
      expect(svc.metricsUrl).not.toBe(svc.url);
      expect((await fetch(`${svc.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
      const scrape = await fetch(`${svc.metricsUrl}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
      expect(await scrape.text()).toMatch(new RegExp(`process_cpu_seconds_total\\{service="${name}"\\}`));
    },
  );

  it('keeps /metrics on PORT and HTTP_PORT when METRICS_PORT is unset', async () => {
    expect(plainGateway.metricsUrl).toBe(plainGateway.url);
    expect(plainService.metricsUrl).toBe(plainService.url);
    for (const url of [plainGateway.url, plainService.url]) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
      expect(await res.text()).toContain('process_cpu_seconds_total');
    }
  });

  it('logs no error for any of it', () => {
    expect(logs.entries().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  });
});
