import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';

import { currentContext, Metrics, type RequestContext } from '@app/observability';
import { createTestInfra, type TestInfra } from '@app/testing';

import { BusClient, NatsRpcServer } from '../src';

describe('request context across a NATS hop (real NATS)', () => {
  let infra: TestInfra;
  let nc: NatsConnection;
  let server: NatsRpcServer;

  beforeAll(async () => {
    infra = await createTestInfra();
    nc = await connect({ servers: infra.natsUrl });
    server = new NatsRpcServer({
      nc,
      prefix: infra.prefix,
      queue: 'probe',
      logger: pino({ level: 'silent' }),
      metrics: new Metrics('probe'),
    });
    server.addHandler('probe.context', () => Promise.resolve({ ...currentContext() }));
    await new Promise<void>((resolve) => server.listen(() => resolve()));
  });
  afterAll(async () => {
    await nc?.drain();
    await infra?.cleanup();
  });

  it("gives the handler the caller's key id and scope", async () => {
    const bus = new BusClient({ nc, prefix: infra.prefix, timeoutMs: 5000 });
    const seen = await bus.requestRaw(
      'probe.context',
      {},
      { ctx: { requestId: 'req-ctx-1', actor: 'key_0123456789ab', scope: 'read' } },
    );
    expect(seen).toMatchObject<Partial<RequestContext>>({
      requestId: 'req-ctx-1',
      actor: 'key_0123456789ab',
      scope: 'read',
    });
  });
});
