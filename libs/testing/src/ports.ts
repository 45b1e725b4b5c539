import { createServer, type AddressInfo } from 'node:net';

/** A loopback TCP port free right now, for a listener that needs a fixed number (METRICS_PORT, a nats-server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
