import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';

import { CONSOLE_CSP, registerConsoleRoutes } from './console';

describe('the console at /console', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'assets/index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, '..', 'console-secret.txt'), 'outside');
    app = Fastify();
    registerConsoleRoutes(app, { dir });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(dir, '..', 'console-secret.txt'), { force: true });
  });

  it.each(['/console', '/console/', '/console/providers/deep/link'])(
    'answers index.html at %s with the CSP',
    async (url) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-cache');
    },
  );

  it('allows only its own origin: no inline script, no framing', () => {
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('serves built assets, and a missing asset is a 404 rather than index.html', async () => {
    const js = await app.inject({ url: '/console/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(js.headers['cache-control']).toContain('immutable');
    const missing = await app.inject({ url: '/console/assets/gone.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('never serves a file outside its folder', async () => {
    for (const url of ['/console/../console-secret.txt', '/console/%2e%2e/console-secret.txt']) {
      const res = await app.inject({ url });
      expect(res.body).not.toContain('outside');
    }
  });

  it('answers a 503 problem saying to build when dist/console is missing', async () => {
    const empty = Fastify();
    registerConsoleRoutes(empty, { dir: join(dir, 'nothing-here') });
    await empty.ready();
    const res = await empty.inject({ url: '/console' });
    await empty.close();
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 503, detail: expect.stringContaining('npm run build') });
  });
});
