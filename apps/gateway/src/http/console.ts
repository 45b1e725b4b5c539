import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { problem, PROBLEM_CONTENT_TYPE } from './problem';

/**
 * Only the console's own origin: no inline script or style, no framing, no plugins, forms and API calls
 * to itself only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the console: dist/console, beside dist/apps when this file runs compiled
 * (dist/apps/gateway/src/http), under the repository when it runs from source (tests).
 */
export function defaultConsoleDir(): string {
  const up = join(__dirname, '../../../..');
  const compiled = join(up, 'console');
  return existsSync(join(compiled, 'index.html')) ? compiled : join(up, 'dist/console');
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * The operator console (apps/console, built into dist/console) at /console. It needs no key: the page
 * holds no data, and each API call it makes carries the operator's key. Deep links (/console/anything)
 * answer index.html; a missing asset under /console/assets is a 404. Without a build the answer is a
 * 503 problem saying how to build it.
 */
export function registerConsoleRoutes(fastify: FastifyInstance, opts: { dir?: string } = {}): void {
  const dir = opts.dir ?? defaultConsoleDir();
  void fastify.register(async (instance) => {
    await instance.register(fastifyStatic, { root: dir, serve: false });
    const isFile = (rel: string) => {
      const path = normalize(join(dir, rel));
      if (path !== dir && !path.startsWith(dir + sep)) return false;
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    };
    const answer = (req: FastifyRequest, reply: FastifyReply, rel: string) => {
      securityHeaders(reply);
      if (!existsSync(join(dir, 'index.html')))
        return reply
          .status(503)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send(problem(503, 'The console is not built: run `npm run build` (it builds dist/console)'));
      if (rel && isFile(rel))
        return reply.sendFile(rel, {
          immutable: rel.startsWith('assets/'),
          maxAge: rel.startsWith('assets/') ? '365d' : 0,
        });
      if (rel.startsWith('assets/'))
        return reply
          .status(404)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send(problem(404, `No console asset ${req.url}`));
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    };
    instance.get('/console', (req, reply) => answer(req, reply, ''));
    instance.get('/console/', (req, reply) => answer(req, reply, ''));
    instance.get<{ Params: { '*': string } }>('/console/*', (req, reply) => answer(req, reply, req.params['*']));
  });
}
