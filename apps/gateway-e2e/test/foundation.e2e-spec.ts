import { randomUUID } from 'node:crypto';

import { startPlatform, type Platform } from '../src/platform';

async function problemOf(res: Response) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    errors?: { field: string; message: string }[];
  };
}

describe('gateway foundation (real NATS and Postgres)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform({ env: { LOG_LEVEL: 'debug', NATS_REQUEST_TIMEOUT_MS: '400' } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('carries a request to a service over NATS and back, with the request id logged on both sides', async () => {
    const requestId = `req-${randomUUID()}`;
    const traceId = randomUUID().replace(/-/g, '');
    const res = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'payments', message: 'ping' },
      headers: { 'x-request-id': requestId, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const body = (await res.json()) as { instance_id: string };
    expect(body).toMatchObject({ message: 'ping', service: 'payments', request_id: requestId });
    expect(body.instance_id).toMatch(/^payments-/);
    const lines = p.logs.entries().filter((l) => l.request_id === requestId);
    expect(lines.some((l) => l.service === 'gateway')).toBe(true);
    expect(lines.some((l) => l.service === 'payments')).toBe(true);
    expect(lines.every((l) => l.trace_id === traceId)).toBe(true);
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const res = await p.api('/api/platform/no-such-thing');
    expect(res.status).toBe(404);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 404, title: 'Not Found' });
    expect(problem.detail).toContain('/api/platform/no-such-thing');
  });

  it('refuses a missing or wrong platform key with 401', async () => {
    const missing = await p.api('/api/platform/diagnostics/noop', {
      method: 'POST',
      json: { message: 'x' },
      auth: false,
    });
    expect(missing.status).toBe(401);
    expect((await problemOf(missing)).status).toBe(401);
    const wrong = await p.api('/payments/gateway?country=BR', {
      auth: false,
      headers: { authorization: 'Bearer not-a-valid-key-at-all' },
    });
    expect(wrong.status).toBe(401);
    await problemOf(wrong);
  });

  it('cannot be walked around with a percent-encoded path', async () => {
    for (const path of [
      '/%61pi/platform/diagnostics/noop',
      '/api/%70latform/diagnostics/noop',
      '/%70ayments/gateway?country=BR',
      '/webhooks/%6byc',
    ]) {
      const res = await p.api(path, { method: 'POST', json: { message: 'x' }, auth: false });
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      await problemOf(res);
    }
  });

  it('answers malformed URLs and very long path parameters with problem+json', async () => {
    const bad = await p.api('/api/platform/integrations/providers/%zz');
    expect(bad.status).toBe(400);
    await problemOf(bad);
    const long = await p.api(`/api/platform/diagnostics/${'x'.repeat(300)}`);
    expect(long.status).toBe(404);
    await problemOf(long);
  });

  it('lists every invalid field of a body in one 400', async () => {
    const res = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'billing', message: '', delay_ms: 'soon', surprise: true },
    });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    const fields = new Set(problem.errors?.map((e) => e.field));
    expect(fields).toEqual(new Set(['service', 'message', 'delay_ms', 'surprise']));
  });

  it('refuses malformed JSON, a non-JSON body and an oversized body with problem+json', async () => {
    const malformed = await p.api('/api/platform/diagnostics/noop', {
      method: 'POST',
      body: '{"message": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).detail).toMatch(/JSON/);
    const text = await p.api('/api/platform/diagnostics/noop', {
      method: 'POST',
      body: 'message=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    await problemOf(text);
    const big = await p.api('/api/platform/diagnostics/noop', {
      method: 'POST',
      json: { message: 'x'.repeat(1_100_000) },
    });
    expect(big.status).toBe(413);
    await problemOf(big);
  });

  it('gives 504 when the service does not answer in time, and stays up', async () => {
    const res = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'kyc', message: 'slow', delay_ms: 1500 },
    });
    expect(res.status).toBe(504);
    expect((await problemOf(res)).detail).toMatch(/kyc/);
    const after = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'kyc', message: 'fast' },
    });
    expect(after.status).toBe(200);
  });

  it('shares requests between two replicas of a service (queue group)', async () => {
    await p.startReplica('comms');
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await p.api('/api/platform/diagnostics/echo', {
        method: 'POST',
        json: { service: 'comms', message: `m${i}` },
      });
      seen.add(((await res.json()) as { instance_id: string }).instance_id);
    }
    expect(seen.size).toBe(2);
  });

  it('serves OpenAPI at /docs and /docs-json, and Prometheus text at /metrics, without a key', async () => {
    const json = await p.api('/docs-json', { auth: false });
    expect(json.status).toBe(200);
    const doc = (await json.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/platform/diagnostics/echo');
    const ui = await p.api('/docs', { auth: false });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
    const metrics = await (await p.api('/metrics', { auth: false })).text();
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/api\/platform\/diagnostics\/echo"/);
    expect(metrics).toMatch(
      /nats_client_request_duration_seconds_count\{[^}]*subject="payments.system.echo",outcome="ok"/,
    );
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it("exposes each service's own /health and /metrics", async () => {
    await p.api('/health', { auth: false }); // the gateway asks every service over NATS
    const svc = p.services.get('catalog')![0];
    const health = await fetch(`${svc.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      checks: { nats: { status: 'ok' }, postgres: { status: 'ok' } },
    });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/nats_handler_duration_seconds_count\{[^}]*subject="catalog.system.health",outcome="ok"/);
  });

  it('answers /livez from the process alone and /readyz from its dependencies, on every process', async () => {
    const svc = p.services.get('catalog')![0];
    for (const base of [svc.url, p.gateway.url]) {
      const live = await fetch(`${base}/livez`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
    }
    expect(await (await fetch(`${svc.url}/readyz`)).json()).toMatchObject({
      checks: { nats: { status: 'ok' }, postgres: { status: 'ok' } },
    });
  });

  it('finishes a request in flight when its service shuts down gracefully', async () => {
    const inFlight = p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'kyc', message: 'finish me', delay_ms: 300 },
    });
    await new Promise((r) => setTimeout(r, 100));
    const [kyc] = p.services.get('kyc')!;
    await kyc.stop();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ message: 'finish me', service: 'kyc' });
    const after = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'kyc', message: 'anyone?' },
    });
    expect(after.status).toBe(503);
  });

  it('gives 503 for a stopped service while the gateway stays up', async () => {
    for (const s of p.services.get('affiliates')!) await s.stop();
    const res = await p.api('/api/platform/diagnostics/echo', {
      method: 'POST',
      json: { service: 'affiliates', message: 'anyone?' },
    });
    expect(res.status).toBe(503);
    expect((await problemOf(res)).detail).toMatch(/affiliates/);
    const health = await p.api('/health', { auth: false });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      checks: { nats: { status: 'ok' }, affiliates: { status: 'fail' }, catalog: { status: 'ok' } },
    });
    // not ready without a replica of every service; still alive, so an orchestrator does not restart it
    const ready = await fetch(`${p.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'degraded', checks: { affiliates: { status: 'fail' } } });
    expect((await fetch(`${p.gateway.url}/livez`)).status).toBe(200);
  });
});
