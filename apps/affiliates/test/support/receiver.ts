import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: { event: string; batch_at: string; leads: Record<string, unknown>[] };
  /** Which of the receiver's secrets produced a valid X-Webhook-Signature entry. */
  /** Secrets whose `sha256=<hex>` equals the whole X-Webhook-Signature header, as a naive receiver compares it. */
  validHex: string[];
  validPreviousHex: string[];
  /** Which secrets the standardwebhooks library accepted the standard headers with. */
  validStandard: string[];
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

/**
 * An affiliate's endpoint on loopback: records every POST and checks its signatures itself (node:crypto
 * for X-Webhook-Signature, the standardwebhooks package for the webhook-* headers), independently of
 * the service's signing code. Answers 200 unless `answers` holds scripted answers.
 */
export class AffiliateReceiver {
  readonly received: Received[] = [];
  connections = 0;
  /** Requests whose sender hung up before the answer was sent (aborted in flight). */
  abandoned = 0;
  answers: Answer[] = [];
  fallback: Answer = { status: 200, body: '{"ok":true}' };
  private server: Server | null = null;
  /** Delayed answers not sent yet: cleared at stop, so that a long delay does not keep the process alive. */
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(public secrets: string[]) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  get hostPort(): string {
    return `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      res.on('close', () => {
        if (!res.writableEnded) this.abandoned++;
      });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const r: Received = {
          at: Date.now(),
          headers: req.headers,
          body,
          json: JSON.parse(body) as Received['json'],
          validHex: this.secrets.filter((s) => hexValid(s, body, String(req.headers['x-webhook-signature'] ?? ''))),
          validPreviousHex: this.secrets.filter((s) =>
            hexValid(s, body, String(req.headers['x-webhook-signature-previous'] ?? '')),
          ),
          validStandard: this.secrets.filter((s) => standardValid(s, body, req.headers)),
        };
        this.received.push(r);
        const a = this.answers.shift() ?? this.fallback;
        const timer = setTimeout(() => {
          this.pending.delete(timer);
          res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
          res.end(a.body ?? '');
        }, a.delayMs ?? 0);
        this.pending.add(timer);
      });
    });
    this.server.on('connection', () => {
      this.connections++;
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  leads(event?: string): Record<string, unknown>[] {
    return this.received.filter((r) => !event || r.json.event === event).flatMap((r) => r.json.leads);
  }

  async stop(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function hexValid(secret: string, body: string, header: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function standardValid(secret: string, body: string, headers: IncomingHttpHeaders): boolean {
  try {
    new Webhook(`whsec_${Buffer.from(secret, 'utf8').toString('base64')}`).verify(body, {
      'webhook-id': String(headers['webhook-id']),
      'webhook-timestamp': String(headers['webhook-timestamp']),
      'webhook-signature': String(headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err as Error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
