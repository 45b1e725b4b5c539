import { connect, type Socket } from 'node:net';

import { createTestInfra, eventually, type TestInfra } from '@app/testing';

import type { RunningGateway } from '../../gateway/src/gateway';
import { startGateway, startPlatform, type Platform } from '../src/platform';

/** A raw client socket to the gateway, recording what the server sent and when it closed the connection. */
interface RawClient {
  socket: Socket;
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
}

function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    let done = false;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        done = true;
        r();
      }),
    );
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    socket.on('error', () => undefined); // a reset by the server is one of the outcomes under test
    socket.once('connect', () => resolve({ socket, received: () => data, closed, isClosed: () => done }));
    socket.once('error', reject);
  });
}

/** Resolves when the server closes the socket; rejects after a deadline generous enough for a loaded machine. */
function closedWithin(client: RawClient, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    client.closed.then(() => clearTimeout(timer)),
    new Promise<void>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: the gateway kept the connection open`)), ms);
    }),
  ]);
}

/** Writes one line/byte at a time until the socket closes, like a client that never finishes. */
function trickle(client: RawClient, next: (i: number) => string, everyMs = 100): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (client.isClosed() || !client.socket.writable) return clearInterval(timer);
    client.socket.write(next(i++));
  }, everyMs);
  return () => clearInterval(timer);
}

describe('gateway connection limits (slow and many clients)', () => {
  let p: Platform;
  const opened: RawClient[] = [];
  const open = async () => {
    const c = await rawClient(p.gateway.url);
    opened.push(c);
    return c;
  };
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      p.gateway.app.getHttpServer().getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );

  beforeAll(async () => {
    p = await startPlatform({
      services: [],
      env: {
        GATEWAY_HEADERS_TIMEOUT_MS: '500',
        GATEWAY_REQUEST_TIMEOUT_MS: '1000',
        GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '300',
      },
    });
  });
  afterEach(async () => {
    for (const c of opened.splice(0)) c.socket.destroy();
    await eventually('the gateway to see every test connection gone', async () =>
      (await connections()) === 0 ? true : undefined,
    );
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('cuts off a client that trickles its headers and never finishes them', async () => {
    const c = await open();
    c.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const stop = trickle(c, (i) => `x-slow-${i}: y\r\n`);
    try {
      await closedWithin(c, 15000, 'trickled headers');
    } finally {
      stop();
    }
    expect(c.received()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('cuts off a client that sends its headers but trickles the body, answering 408 problem+json', async () => {
    const c = await open();
    c.socket.write(
      'POST /api/platform/diagnostics/noop HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Authorization: Bearer test-platform-key-0123456789abcdef\r\nContent-Length: 100000\r\n\r\n{"message":"',
    );
    const stop = trickle(c, () => 'x');
    try {
      await closedWithin(c, 15000, 'trickled body');
    } finally {
      stop();
    }
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(c.received()).toMatch(/content-type: application\/problem\+json/i);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const c = await open();
    c.socket.write('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await eventually('the first answer', () => (/\r\n\r\n/.test(c.received()) ? true : undefined));
    await closedWithin(c, 15000, 'idle keep-alive');
    expect(c.received()).toMatch(/^HTTP\/1\.1 (200|404)/);
  });
});

describe('gateway connection cap', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  const opened: RawClient[] = [];
  const open = async () => {
    const c = await rawClient(gw.url);
    opened.push(c);
    return c;
  };
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      gw.app.getHttpServer().getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );

  beforeAll(async () => {
    infra = await createTestInfra();
    // long timeouts here, so the connections held open are not cut off for slowness while the cap is tested
    gw = await startGateway({
      env: {
        ...infra.env,
        GATEWAY_MAX_CONNECTIONS: '4',
        GATEWAY_HEADERS_TIMEOUT_MS: '60000',
        GATEWAY_REQUEST_TIMEOUT_MS: '60000',
      },
    });
  });
  afterAll(async () => {
    for (const c of opened.splice(0)) c.socket.destroy();
    await gw?.stop();
    await infra?.cleanup();
  });

  it('closes connections past GATEWAY_MAX_CONNECTIONS at once and takes new ones when some close', async () => {
    const held = [await open(), await open(), await open(), await open()];
    await eventually('four connections accepted', async () => ((await connections()) === 4 ? true : undefined));
    const extra = await open();
    await closedWithin(extra, 15000, 'connection past the cap');
    expect(extra.received()).toBe('');
    expect(held.some((c) => c.isClosed())).toBe(false);
    held[0].socket.destroy();
    await eventually('a slot to free up', async () => ((await connections()) < 4 ? true : undefined));
    const next = await open();
    next.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await closedWithin(next, 15000, 'a request after a slot freed up');
    expect(next.received()).toMatch(/^HTTP\/1\.1 \d{3} /);
  });
});
