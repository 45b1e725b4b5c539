import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The exact bytes received. */
  rawBody: Buffer;
  /** Set by the fake when it refused the request's authentication. */
  rejected?: boolean;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Route = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

/**
 * Base of every provider fake: a real HTTP server on 127.0.0.1 that records each request (raw bytes
 * included) and can be told to fail, slow down or rate-limit before its provider logic runs.
 */
export abstract class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | null = null;
  private readonly routes: { method: string; pattern: RegExp; route: Route }[] = [];
  private failures: FakeReply[] = [];
  private delayMs = 0;
  private readonly repliedListeners: ((req: RecordedRequest, reply: FakeReply) => void)[] = [];
  baseUrl = '';

  /** Calls `listener` after each answer is sent (a sandbox uses it to call back as the provider does). */
  onReplied(listener: (req: RecordedRequest, reply: FakeReply) => void): this {
    this.repliedListeners.push(listener);
    return this;
  }

  protected route(method: string, pattern: RegExp, route: Route): void {
    this.routes.push({ method, pattern, route });
  }

  /** The next `times` requests get this reply instead of the provider logic. */
  failNext(reply: FakeReply, times = 1): this {
    for (let i = 0; i < times; i++) this.failures.push(reply);
    return this;
  }

  /** Every following request waits this long before being answered. */
  slowDown(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /** The next `times` requests get 429 with Retry-After. */
  rateLimitNext(times = 1, retryAfterSeconds = 1): this {
    return this.failNext(
      { status: 429, body: { error: 'Too Many Requests' }, headers: { 'retry-after': String(retryAfterSeconds) } },
      times,
    );
  }

  reset(): void {
    this.requests.length = 0;
    this.failures = [];
    this.delayMs = 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody: Buffer.concat(chunks),
    };
    this.requests.push(recorded);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    let reply: FakeReply;
    const failure = this.failures.shift();
    if (failure) reply = failure;
    else {
      const match = this.routes.find((r) => r.method === recorded.method && r.pattern.test(recorded.path));
      try {
        reply = match ? await match.route(recorded) : { status: 404, body: { error: 'not found' } };
      } catch (err) {
        reply = { status: 500, body: { error: (err as Error).message } };
      }
    }
    const isJson = reply.body !== undefined && typeof reply.body !== 'string' && !Buffer.isBuffer(reply.body);
    const payload =
      reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : (reply.body as string | Buffer);
    res.writeHead(reply.status, { ...(isJson ? { 'content-type': 'application/json' } : {}), ...reply.headers });
    res.end(payload);
    for (const listener of this.repliedListeners) listener(recorded, reply);
  }

  /** Helper for subclasses: JSON body of a recorded request. */
  protected json<T = Record<string, unknown>>(req: RecordedRequest): T {
    return JSON.parse(req.rawBody.toString('utf8') || '{}') as T;
  }

  /** Helper for subclasses: form body of a recorded request. */
  protected form(req: RecordedRequest): URLSearchParams {
    return new URLSearchParams(req.rawBody.toString('utf8'));
  }
}
