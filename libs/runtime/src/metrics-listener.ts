import Fastify from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  /** Base URL of the listener (its /metrics is the scrape target). */
  url: string;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: a second, small HTTP listener in the same process that serves only GET /metrics, so
 * Prometheus scrapes a port the public Service does not expose. Anything else is a problem+json 404.
 */
export async function startMetricsListener(opts: {
  port: number;
  host: string;
  registry: Registry;
}): Promise<MetricsListener> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    await reply.header('content-type', opts.registry.contentType).send(await opts.registry.metrics());
  });
  app.setNotFoundHandler(async (req, reply) => {
    await reply
      .status(404)
      .header('content-type', 'application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `${req.method} ${req.url.split('?')[0]} is not served here: this port serves only GET /metrics`,
      });
  });
  await app.listen({ port: opts.port, host: opts.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { url: `http://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${port}`, close: () => app.close() };
}
