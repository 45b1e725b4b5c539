import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import {
  PROVIDER_KEY,
  WEBHOOK_SERVICES,
  webhookSubject,
  type InboundWebhook,
  type WebhookService,
} from '@app/contracts';
import type { BusClient } from '@app/messaging';

import { problem, PROBLEM_CONTENT_TYPE } from '../http/problem';
import { toProblem } from '../http/problem.filter';

/** NATS carries at most 1 MiB per message (nats-server default); base64 adds a third. */
export const WEBHOOK_BODY_LIMIT = 700 * 1024;

type Params = { service: string; provider: string };

/**
 * `/webhooks/:service/:provider`: providers' callbacks, authenticated by each provider's own signature.
 * Registered as an encapsulated Fastify plugin whose only content-type parser keeps the raw bytes, so
 * the owning service verifies signatures over exactly what the provider sent (JSON re-serialised, or
 * a form re-encoded, would no longer verify). The service's reply (status, body) goes back verbatim.
 */
export function registerWebhookRoutes(
  fastify: FastifyInstance,
  deps: { bus: BusClient; publicBaseUrl: string; logger: Logger },
): void {
  void fastify.register((scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    const handler = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
      const { service, provider } = req.params;
      if (!(WEBHOOK_SERVICES as readonly string[]).includes(service) || !PROVIDER_KEY.test(provider)) {
        return reply
          .status(404)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send(problem(404, `No webhook endpoint ${req.url.split('?')[0]}`, { requestId: req.ctx.requestId }));
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const inbound: InboundWebhook = {
        provider,
        method: req.method,
        url: `${deps.publicBaseUrl.replace(/\/$/, '')}${req.url}`,
        headers: flattenHeaders(req.headers),
        body_base64: body.toString('base64'),
        received_at: new Date().toISOString(),
      };
      try {
        const answer = await deps.bus.request(webhookSubject(service as WebhookService), inbound, {
          timeoutMs: 10000,
          ctx: req.ctx,
        });
        for (const [k, v] of Object.entries(answer.headers ?? {})) void reply.header(k, v);
        // the body may echo what the caller sent (Zadarma's zd_echo): never let a browser sniff it into HTML
        void reply.header('x-content-type-options', 'nosniff');
        return reply
          .status(answer.status)
          .header('content-type', answer.content_type ?? 'application/json')
          .send(answer.body ?? '');
      } catch (err) {
        const p = toProblem(err, req, deps.logger);
        return reply.status(p.status).header('content-type', PROBLEM_CONTENT_TYPE).send(p);
      }
    };
    // errors raised before the handler (body too large) are problem+json here too
    scope.setErrorHandler((err, req, reply) => {
      const p = toProblem(err, req, deps.logger);
      void reply.status(p.status).header('content-type', PROBLEM_CONTENT_TYPE).send(p);
    });
    scope.post<{ Params: Params }>('/webhooks/:service/:provider', handler);
    scope.get<{ Params: Params }>('/webhooks/:service/:provider', handler);
    return Promise.resolve();
  });
}

function flattenHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}
