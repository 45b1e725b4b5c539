import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';

import { eventStreamNames } from '@app/messaging';
import { createTestInfra, freePort, LogCapture, type TestInfra } from '@app/testing';

import { ServiceConfig } from '../src';
import { startService, type RunningService, type ServiceDefinition } from '../src/service';

@Module({})
class EmptyModule {}
const definition: ServiceDefinition = {
  name: 'comms',
  defaultHttpPort: 0,
  config: ServiceConfig,
  module: EmptyModule,
  entities: [],
  migrations: [],
};

/** EVENTS_STREAM_REPLICAS and METRICS_PORT on a service, against the real (single-node) NATS and Postgres. */
describe('service scale-out settings (real NATS and Postgres)', () => {
  let infra: TestInfra;
  const started: RunningService[] = [];
  const start = async (env: NodeJS.ProcessEnv, logs?: LogCapture) => {
    const svc = await startService(definition, { env: { ...infra.env, ...env }, logDestination: logs });
    started.push(svc);
    return svc;
  };

  beforeAll(async () => {
    infra = await createTestInfra();
  });
  afterAll(async () => {
    for (const svc of started) await svc.stop();
    await infra?.cleanup();
  });

  it('creates the event stream with EVENTS_STREAM_REPLICAS replicas: a single server refuses 3, naming the variable', async () => {
    // the server, not the test, decides: the replica count has to reach it for it to refuse
    await expect(startService(definition, { env: { ...infra.env, EVENTS_STREAM_REPLICAS: '3' } })).rejects.toThrow(
      /cannot have 3 replicas \(EVENTS_STREAM_REPLICAS\)/,
    );
    await start({ EVENTS_STREAM_REPLICAS: '1' });
    const nc = await connect({ servers: infra.natsUrl });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(eventStreamNames(infra.prefix).stream);
      expect(info.config.num_replicas).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('serves /metrics on HTTP_PORT when METRICS_PORT is unset', async () => {
    const svc = await start({});
    expect(svc.metricsUrl).toBe(svc.url);
    const res = await fetch(`${svc.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('process_cpu_seconds_total');
  });

  it('serves /metrics only on METRICS_PORT when it is set, the probes staying on HTTP_PORT', async () => {
    const metricsPort = await freePort();
    const logs = new LogCapture();
    const svc = await start({ METRICS_PORT: String(metricsPort) }, logs);
    expect(svc.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
    expect((await fetch(`${svc.url}/metrics`)).status).toBe(404);
    // a scraper still pointed at the old port is a 404, not an error with a stack on every scrape
    expect(logs.entries().filter((l) => l.level === 'error')).toEqual([]);
    expect((await fetch(`${svc.url}/livez`)).status).toBe(200);
    const res = await fetch(`${svc.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^# HELP /m);
    const other = await fetch(`${svc.metricsUrl}/livez`);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses a METRICS_PORT equal to its HTTP port, naming the variable', async () => {
    const port = await freePort();
    await expect(
      startService(definition, { env: { ...infra.env, HTTP_PORT: String(port), METRICS_PORT: String(port) } }),
    ).rejects.toThrow(/METRICS_PORT must differ from HTTP_PORT/);
    await expect(
      startService(
        { ...definition, defaultHttpPort: port },
        { env: { ...infra.env, HTTP_PORT: '', METRICS_PORT: String(port) } },
      ),
    ).rejects.toThrow(/METRICS_PORT must differ from the HTTP port/);
  });
});
