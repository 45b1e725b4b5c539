import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';

import { toErrorEnvelope } from '@app/messaging';
import { createTestInfra, eventually, freePort, TEST_API_KEY, type TestInfra } from '@app/testing';

import type { RunningGateway } from '../../gateway/src/gateway';
import { startGateway, startPlatform, type Platform } from '../src/platform';

const OTHER_KEY = 'other-platform-key-0123456789abcdef';

async function expectShed(res: Response, status = 503): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:problem-type:/),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  return body;
}

function echo(p: Platform, message: string, key = TEST_API_KEY): Promise<Response> {
  return p.api('/api/platform/diagnostics/echo', {
    method: 'POST',
    json: { service: 'catalog', message },
    auth: false,
    headers: { authorization: `Bearer ${key}` },
  });
}

function noop(p: Platform, key = TEST_API_KEY): Promise<Response> {
  return p.api('/api/platform/diagnostics/noop', {
    method: 'POST',
    json: { message: 'hi' },
    auth: false,
    headers: { authorization: `Bearer ${key}` },
  });
}

function webhook(url: string): Promise<Response> {
  return fetch(`${url}/webhooks/kyc/sumsub`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"applicantReviewed"}',
  });
}

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function shedCount(text: string, reason: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith('gateway_requests_shed_total{') && l.includes(`reason="${reason}"`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('gateway sheds past GATEWAY_MAX_IN_FLIGHT', () => {
  let p: Platform;
  let nc: NatsConnection;
  const held: Msg[] = [];

  beforeAll(async () => {
    // no catalog service: this test answers catalog.system.echo itself, holding each request until it lets go
    p = await startPlatform({ services: [], env: { GATEWAY_MAX_IN_FLIGHT: '2' } });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.catalog.system.echo`, {
      callback: (_err, msg) => {
        held.push(msg);
      },
    });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
  });

  it('answers 503 problem+json with Retry-After while two requests are in flight, health stays 200, then takes requests again', async () => {
    const first = [echo(p, 'one'), echo(p, 'two')];
    await eventually('two echo requests held in flight', () => (held.length === 2 ? true : undefined));

    await expectShed(await echo(p, 'three'));
    await expectShed(await webhook(p.gateway.url));
    await expectShed(await noop(p));
    expect(held).toHaveLength(2); // refused before it reached the bus
    for (const path of ['/livez', '/health', '/metrics'])
      expect((await fetch(`${p.gateway.url}${path}`)).status).toBe(200);
    expect(shedCount(await metricsText(p.gateway.url), 'in_flight')).toBe(3);

    for (const msg of held.splice(0)) {
      msg.respond(
        JSON.stringify({
          ok: true,
          data: { message: 'ok', service: 'catalog', instance_id: 'test', request_id: null },
        }),
      );
    }
    const answers = await Promise.all(first);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    // the slots are free again
    expect((await noop(p)).status).toBe(200);
  });

  it('never answers 500 under a burst: each request is served or refused with 503', async () => {
    const burst = await Promise.all(Array.from({ length: 12 }, () => noop(p)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (const r of burst.filter((x) => x.status === 503)) await expectShed(r);
  });

  it('relays a service whose Postgres is unreachable as 503 problem+json with Retry-After', async () => {
    const pending = echo(p, 'db down?');
    await eventually('the echo request on the bus', () => (held.length === 1 ? true : undefined));
    // exactly what a service answers when its database refuses connections (libs/messaging errors.ts)
    const envelope = toErrorEnvelope(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    held.shift()!.respond(JSON.stringify({ ok: false, error: envelope }));
    const body = await expectShed(await pending);
    expect(body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('gateway sheds while the event loop lags (GATEWAY_MAX_EVENT_LOOP_DELAY_MS)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform({ services: [], env: { GATEWAY_MAX_EVENT_LOOP_DELAY_MS: '50' } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('answers 503 with Retry-After after the loop was blocked, keeps /livez answering, and recovers', async () => {
    expect((await noop(p)).status).toBe(200);
    // block the loop in 200 ms slices for over two sampling periods (under-pressure samples once a second)
    const blockUntil = Date.now() + 3000;
    while (Date.now() < blockUntil) {
      const sliceEnd = Date.now() + 200;
      while (Date.now() < sliceEnd) {
        /* busy: the loop cannot turn */
      }
      await new Promise((r) => setImmediate(r));
    }
    const [shedRes, live] = await Promise.all([noop(p), fetch(`${p.gateway.url}/livez`)]);
    const body = await expectShed(shedRes);
    expect(String(body.detail)).toMatch(/overloaded/);
    expect(live.status).toBe(200);
    expect(shedCount(await metricsText(p.gateway.url), 'event_loop_delay')).toBeGreaterThanOrEqual(1);
    await eventually('the gateway to take requests again', async () =>
      (await noop(p)).status === 200 ? true : undefined,
    );
  });
});

describe('per-key rate limit on /api/platform (GATEWAY_RATE_LIMIT_PER_MINUTE)', () => {
  let p: Platform;

  beforeAll(async () => {
    p = await startPlatform({
      services: [],
      env: { GATEWAY_RATE_LIMIT_PER_MINUTE: '3', PLATFORM_API_KEYS: `${TEST_API_KEY},${OTHER_KEY}` },
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('answers the 4th request of a key in a minute 429 problem+json with Retry-After; another key and webhooks are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await noop(p)).status).toBe(200);
    const limited = await noop(p);
    const body = await expectShed(limited, 429);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(JSON.stringify(body)).not.toContain(TEST_API_KEY);

    expect((await noop(p, OTHER_KEY)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await webhook(p.gateway.url)).status).not.toBe(429);
    for (let i = 0; i < 5; i++) {
      const res = await p.api('/payments/gateway?country=BR&direction=deposit');
      expect(res.status).not.toBe(429);
    }
    const text = await metricsText(p.gateway.url);
    expect(shedCount(text, 'rate_limit')).toBe(1);
    expect(text).not.toContain(TEST_API_KEY);
    expect(p.logs.text()).not.toContain(TEST_API_KEY);
  });
});

function noopAt(url: string): Promise<Response> {
  return fetch(`${url}/api/platform/diagnostics/noop`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'back' }),
  });
}

function startNatsServer(port: number, storeDir: string): ChildProcess {
  return spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: 'ignore',
  });
}

describe('gateway fails fast while its NATS link is down', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let server: ChildProcess | undefined;
  let port: number;
  const storeDir = mkdtempSync(join(tmpdir(), 'gw-nats-'));

  const stopServer = async () => {
    const s = server;
    server = undefined;
    if (!s || s.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      s.once('exit', () => resolve());
      s.kill('SIGKILL');
    });
  };

  beforeAll(async () => {
    infra = await createTestInfra();
    port = await freePort();
    server = startNatsServer(port, storeDir);
    await eventually('the test nats-server to listen', async () => {
      const nc = await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 500 }).catch(() => undefined);
      if (!nc) return undefined;
      await nc.close();
      return true;
    });
    gw = await startGateway({
      env: { ...infra.env, NATS_URL: `nats://127.0.0.1:${port}`, NATS_REQUEST_TIMEOUT_MS: '20000' },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await stopServer();
    await infra?.cleanup();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('answers a request waiting on the bus 503 with Retry-After as soon as the link drops, not a 504 after NATS_REQUEST_TIMEOUT_MS', async () => {
    const held: Msg[] = [];
    const responder = await connect({ servers: `nats://127.0.0.1:${port}` });
    responder.subscribe(`${infra.prefix}.catalog.system.echo`, {
      callback: (_err, msg) => {
        held.push(msg);
      },
    });
    await responder.flush();
    const started = Date.now();
    const pending = fetch(`${gw.url}/api/platform/diagnostics/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'catalog', message: 'in flight' }),
    });
    await eventually('the echo request held by the test responder', () => (held.length === 1 ? true : undefined));
    await stopServer();
    const res = await pending;
    const elapsed = Date.now() - started;
    await responder.close().catch(() => undefined);
    expect(res.status).not.toBe(504);
    await expectShed(res);
    // a behaviour check, not a speed one: it did not wait for the 20 s bus timeout
    expect(elapsed).toBeLessThan(10000);
    server = startNatsServer(port, storeDir);
    await eventually('the gateway to serve again after NATS came back', async () =>
      (await noopAt(gw.url)).status === 200 ? true : undefined,
    );
  });

  it('answers 503 with Retry-After at once (not a 504 after NATS_REQUEST_TIMEOUT_MS), and serves again once NATS is back', async () => {
    await stopServer();
    await eventually('/health to report the NATS link down', async () =>
      (await fetch(`${gw.url}/health`)).status === 503 ? true : undefined,
    );

    const started = Date.now();
    const res = await fetch(`${gw.url}/api/platform/diagnostics/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'catalog', message: 'hello' }),
    });
    const elapsed = Date.now() - started;
    expect(res.status).not.toBe(504);
    const body = await expectShed(res);
    expect(String(body.detail)).toMatch(/message bus/);
    // a behaviour check, not a speed one: the request did not wait for the 20 s bus timeout
    expect(elapsed).toBeLessThan(10000);
    await expectShed(await webhook(gw.url));
    expect((await fetch(`${gw.url}/livez`)).status).toBe(200);

    server = startNatsServer(port, storeDir);
    await eventually('the gateway to serve again after NATS came back', async () =>
      (await noopAt(gw.url)).status === 200 ? true : undefined,
    );
  });
});
