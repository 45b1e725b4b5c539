import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An affiliate's webhook endpoint on 127.0.0.1: answers 200 to every batch and remembers what came, so a
 * drill can tell a batch sent twice (same webhook-id, a redelivery) from a lead sent in two batches.
 */
export class AffiliateReceiver {
  /** webhook-id -> times received. */
  readonly batches = new Map<string, number>();
  /** `${path} ${event} ${affiliate_lead_id}` -> the webhook-ids that carried it. */
  readonly items = new Map<string, Set<string>>();
  posts = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.posts++;
        const id = String(req.headers['webhook-id'] ?? `none-${this.posts}`);
        this.batches.set(id, (this.batches.get(id) ?? 0) + 1);
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            event?: string;
            leads?: { affiliate_lead_id?: string }[];
          };
          for (const lead of body.leads ?? []) {
            const key = `${req.url} ${body.event} ${lead.affiliate_lead_id}`;
            const ids = this.items.get(key) ?? new Set<string>();
            ids.add(id);
            this.items.set(key, ids);
          }
        } catch {
          /* counted as a post; the drill compares item counts */
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get host(): string {
    return new URL(this.url).host;
  }

  /** Batches received more than once (the same webhook-id again). */
  get resentBatches(): number {
    let n = 0;
    for (const v of this.batches.values()) if (v > 1) n += v - 1;
    return n;
  }

  /** Leads that arrived in two different batches: a real duplicate, which no webhook-id check catches. */
  get duplicatedItems(): number {
    let n = 0;
    for (const ids of this.items.values()) if (ids.size > 1) n += ids.size - 1;
    return n;
  }

  has(path: string, event: string, leadId: string): boolean {
    return this.items.has(`${path} ${event} ${leadId}`);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
