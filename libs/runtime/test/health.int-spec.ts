import { Module } from '@nestjs/common';

import { createTestInfra, type TestInfra } from '@app/testing';

import { ServiceConfig } from '../src';
import { startService, type RunningService } from '../src/service';

@Module({})
class EmptyModule {}

/** A service's /health reports each dependency and turns 503 when one of them fails. */
describe('service health (real NATS and Postgres)', () => {
  let infra: TestInfra;
  let svc: RunningService;

  beforeAll(async () => {
    infra = await createTestInfra();
    svc = await startService(
      { name: 'comms', defaultHttpPort: 0, config: ServiceConfig, module: EmptyModule, entities: [], migrations: [] },
      { env: infra.env },
    );
  });
  afterAll(async () => {
    await svc?.stop();
    await infra?.cleanup();
  });

  it('is 200 with both checks ok, then 503 naming Postgres once the database is gone', async () => {
    const ok = await fetch(`${svc.url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', checks: { nats: { status: 'ok' }, postgres: { status: 'ok' } } });

    await svc.dataSource.destroy();
    const down = await fetch(`${svc.url}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'degraded',
      checks: { nats: { status: 'ok' }, postgres: { status: 'fail', detail: expect.any(String) } },
    });
  });
});
