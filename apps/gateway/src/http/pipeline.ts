import { randomUUID } from 'node:crypto';

import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import { DomainError, ErrorCode, type FieldError } from '@app/contracts';
import {
  activeTraceId,
  LabelledHistogram,
  newTraceId,
  setHttpRoute,
  traceIdOf,
  type Metrics,
  type RequestContext,
} from '@app/observability';

import { ApiKeyRing, requiresPlatformKey, scopeAllows } from './auth';
import { MAX_JSON_DEPTH, nulFields, tooDeepAt } from './json-guard';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify hooks for every request: request id and trace (accepted from the caller when well formed,
 * echoed back) kept on `req.ctx` for handlers to pass on (see request-context.ts), platform-key auth
 * before the body is read,
 * and one JSON access log line and one histogram sample per request. Errors raised while Fastify parses
 * the body (too large, malformed JSON) reach NestJS's filters and leave as problem+json like the rest.
 */
export function installPipeline(
  fastify: FastifyInstance,
  deps: { keys: ApiKeyRing; logger: Logger; metrics: Metrics },
): void {
  const { keys, logger, metrics } = deps;
  fastify.decorateRequest('ctx', null as unknown as RequestContext);
  const httpDuration = new LabelledHistogram(metrics.httpRequestDuration);

  fastify.addHook('onRequest', (req, reply, done) => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const traceparent = req.headers.traceparent;
    // with tracing on, the HTTP server span's trace (which continues a valid incoming traceparent)
    const traceId =
      activeTraceId() ?? traceIdOf(typeof traceparent === 'string' ? traceparent : undefined) ?? newTraceId();
    req.ctx = { requestId, traceId };
    setHttpRoute(req.method, routeOf(req));
    void reply.header('x-request-id', requestId);
    if (needsKey(req)) {
      const key = keys.authenticate(req.headers.authorization);
      if (!key) {
        void reply
          .status(401)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .header('www-authenticate', 'Bearer')
          .send(problem(401, 'A valid platform API key is required: Authorization: Bearer <key>', { requestId }));
        return;
      }
      req.ctx.actor = key.id;
      req.ctx.scope = key.scope;
      // refused before the body is read or anything is forwarded: a read key changes nothing
      if (!scopeAllows(key.scope, req.method)) {
        void reply
          .status(403)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send(
            problem(403, `This platform key is read-only (scope read): ${req.method} needs a key with scope admin`, {
              requestId,
            }),
          );
        return;
      }
    }
    done();
  });

  // The API speaks JSON only; provider webhooks (/webhooks/**) bring their own content types.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preValidation', (req, reply, done) => {
    const type = req.headers['content-type'];
    if (
      req.body !== undefined &&
      !req.url.startsWith('/webhooks/') &&
      !/^application\/(.+\+)?json\b/i.test(type ?? '')
    ) {
      void reply
        .status(415)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(problem(415, 'Unsupported content type: send application/json', { requestId: req.ctx.requestId }));
      return;
    }
    // Postgres refuses NUL in text: a query string or path parameter holding one is a 400, not a 500
    const errors = [...nulIn(req.query), ...nulIn(req.params)];
    if (errors.length) {
      void reply
        .status(400)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(
          problem(400, 'The request has invalid fields', {
            code: ErrorCode.ValidationFailed,
            errors,
            requestId: req.ctx.requestId,
          }),
        );
      return;
    }
    done();
  });

  fastify.addHook('onResponse', (req, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    const route = routeOf(req);
    const status = reply.statusCode;
    httpDuration.observe(
      `${req.method} ${status} ${route}`,
      { method: req.method, route, status: String(status) },
      seconds,
    );
    // the access line's object is built only when it is written (LOG_LEVEL info or lower)
    if (logger.isLevelEnabled('info'))
      logger.info(
        {
          request_id: req.ctx?.requestId,
          trace_id: req.ctx?.traceId,
          actor: req.ctx?.actor,
          scope: req.ctx?.scope,
          method: req.method,
          route,
          path: req.url.split('?')[0],
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request',
      );
    done();
  });
}

/**
 * Judged on the decoded path and on the matched route, never on the raw URL alone: the router decodes
 * `/%61pi/platform/...` to `/api/platform/...`, so a raw-only check could be walked around. A path that
 * does not decode is treated as needing a key (it is refused either way).
 */
function needsKey(req: FastifyRequest): boolean {
  const route = req.routeOptions?.url;
  // the matched route alone settles most requests (every /api/platform route), with no URL to decode
  if (route !== undefined && requiresPlatformKey(route)) return true;
  const raw = req.url.split('?')[0];
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return true;
  }
  return requiresPlatformKey(raw) || requiresPlatformKey(decoded);
}

function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? 'unmatched';
}

function nulIn(values: unknown): FieldError[] {
  if (values === null || typeof values !== 'object') return [];
  return Object.entries(values).flatMap(([name, v]) =>
    nulFields(v, name).length ? [{ field: name, message: `${name} must not contain NUL characters` }] : [],
  );
}

/**
 * The JSON body parser of the API routes (webhooks keep their raw bytes): Fastify's own, with nesting
 * past MAX_JSON_DEPTH refused before parsing and NUL characters (in a value or a key) refused after,
 * each a 400 naming the field.
 */
export function jsonBodyParser(fastify: FastifyInstance): FastifyBodyParser<Buffer> {
  const parse = fastify.getDefaultJsonParser('error', 'ignore');
  return (req, raw, done) => {
    const text = raw.toString('utf8');
    const deep = tooDeepAt(text);
    if (deep !== null)
      return done(invalid([{ field: deep, message: `${deep} nests deeper than ${MAX_JSON_DEPTH} levels` }]), undefined);
    void parse(req, text, (err, value) => {
      if (err) return done(err, undefined);
      // JSON can only carry a NUL as the escape \u0000: without one in the text there is nothing to find
      const nul = text.includes('\\u0000') ? nulFields(value) : [];
      if (nul.length)
        return done(
          invalid(nul.map((field) => ({ field, message: `${field} must not contain NUL characters` }))),
          undefined,
        );
      done(null, value);
    });
  };
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', errors);
}
