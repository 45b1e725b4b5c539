import { Agent, request } from 'undici';

import { SsrfGuard, SsrfRefusedError } from '@app/connectors';

import { parseRetryAfter } from './retry-policy';

export const SNIPPET_BYTES = 1024;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  snippet: string | null;
  retryAfterMs: number | null;
  /** 410 Gone: the endpoint asked to be removed. */
  gone: boolean;
}

/**
 * One POST of one batch: the SSRF guard before any connection (literal addresses here, DNS answers in
 * the agent's lookup), no redirect followed (3xx is a failure), the configured timeout, and at most
 * 1 KiB of the answer kept for the attempt log.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly guard: SsrfGuard,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({
      connect: { lookup: guard.lookup, timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  /** `abort` ends the request early (the lane's lease was lost); the result is then a failure. */
  async send(url: string, body: string, headers: Record<string, string>, abort?: AbortSignal): Promise<SendResult> {
    const started = process.hrtime.bigint();
    const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    try {
      this.guard.checkSyntax(url);
      const res = await request(url, {
        method: 'POST',
        body,
        dispatcher: this.agent,
        signal: abort
          ? AbortSignal.any([AbortSignal.timeout(this.timeoutMs), abort])
          : AbortSignal.timeout(this.timeoutMs),
        headers: { 'content-type': 'application/json', 'user-agent': 'connect-platform-affiliates/1', ...headers },
      });
      const snippet = await readSnippet(res.body);
      const code = res.statusCode;
      const ok = code >= 200 && code < 300;
      const retryHeader = res.headers['retry-after'];
      const retryAfterMs =
        code === 429 || code === 503
          ? parseRetryAfter(Array.isArray(retryHeader) ? retryHeader[0] : retryHeader)
          : null;
      const error = ok ? null : code >= 300 && code < 400 ? `redirect (${code}) refused` : `HTTP ${code}`;
      return { ok, statusCode: code, latencyMs: elapsed(), error, snippet, retryAfterMs, gone: code === 410 };
    } catch (err) {
      return {
        ok: false,
        statusCode: null,
        latencyMs: elapsed(),
        error: describe(err),
        snippet: null,
        retryAfterMs: null,
        gone: false,
      };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Nest calls this on shutdown: idle keep-alive sockets would hold the process open. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= SNIPPET_BYTES) {
      body.destroy();
      break;
    }
  }
  if (size === 0) return null;
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: unknown };
  if (e instanceof SsrfRefusedError)
    return e.message.startsWith('refused') ? e.message : `refused by the SSRF guard: webhook_url ${e.message}`;
  if (e?.cause instanceof SsrfRefusedError) return e.cause.message;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || /timeout/i.test(String(e?.code))) return 'timeout';
  const cause = e?.cause as { message?: string } | undefined;
  return (cause?.message ?? e?.message ?? 'network error').slice(0, 500);
}
