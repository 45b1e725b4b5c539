import { createHash } from 'node:crypto';

import { queryRows, TEST_API_KEY } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const READ_KEY = 'reporting-dashboard-key-0123456789';
const ADMIN_KEY = 'operations-admin-key-0123456789';
const idOf = (key: string) => `key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

describe('platform key scopes (real NATS and Postgres)', () => {
  let p: Platform;
  const as = (key: string, path: string, init: RequestInit & { json?: unknown } = {}) =>
    p.api(path, {
      ...init,
      auth: false,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });
  const audit = () =>
    queryRows<{ actor: string; scope: string; action: string; target: string }>(
      p.infra.databaseUrl,
      'SELECT actor, scope, action, target FROM catalog.audit_trail ORDER BY id',
    );

  beforeAll(async () => {
    p = await startPlatform({
      services: ['catalog'],
      env: { LOG_LEVEL: 'info', PLATFORM_API_KEYS: `${TEST_API_KEY},${READ_KEY}:read,${ADMIN_KEY}:admin` },
    });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('lets a read key GET', async () => {
    const res = await as(READ_KEY, '/api/platform/integrations/providers');
    expect(res.status).toBe(200);
  });

  it('refuses a read key anything but GET with 403 problem+json, and stores nothing', async () => {
    const attempts: [string, string, unknown][] = [
      [
        'POST',
        '/api/platform/integrations/providers/sendgrid/activate',
        { credentials: { api_key: 'SG.never-stored-0123456789' } },
      ],
      [
        'PUT',
        '/api/platform/integrations/providers/sendgrid/credentials',
        { credentials: { api_key: 'SG.never-stored-0123456789' } },
      ],
      ['POST', '/api/platform/integrations/providers/sendgrid/deactivate', {}],
      ['PUT', '/api/platform/integrations/categories/email/default', { provider: 'sendgrid' }],
      ['POST', '/api/platform/diagnostics/noop', { message: 'x' }],
      ['DELETE', '/api/platform/ops/dead-letters/1', undefined],
      ['POST', '/webhooks/kyc', {}],
    ];
    for (const [method, path, json] of attempts) {
      const res = await as(READ_KEY, path, { method, json });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    const sendgrid = (await (await as(READ_KEY, '/api/platform/integrations/providers/sendgrid')).json()) as {
      status: string;
    };
    expect(sendgrid.status).toBe('inactive');
    expect(await audit()).toEqual([]);
  });

  it('lets an admin key (suffixed or not) change things, with its key id and scope in the audit record', async () => {
    const activated = await as(ADMIN_KEY, '/api/platform/integrations/providers/sendgrid/activate', {
      method: 'POST',
      json: { credentials: { api_key: 'SG.admin-stored-0123456789' } },
    });
    expect(activated.status).toBe(200);
    const deactivated = await as(TEST_API_KEY, '/api/platform/integrations/providers/sendgrid/deactivate', {
      method: 'POST',
      json: {},
    });
    expect(deactivated.status).toBe(200);
    expect(await audit()).toEqual([
      { actor: idOf(ADMIN_KEY), scope: 'admin', action: 'activated', target: 'sendgrid' },
      { actor: idOf(TEST_API_KEY), scope: 'admin', action: 'deactivated', target: 'sendgrid' },
    ]);
  });

  it('logs the key id and scope of each request, never the key', async () => {
    await as(READ_KEY, '/api/platform/integrations/providers');
    const line = p.logs.entries().find((l) => l.msg === 'request' && l.actor === idOf(READ_KEY));
    expect(line).toMatchObject({ actor: idOf(READ_KEY), scope: 'read' });
    expect(JSON.stringify(p.logs.entries())).not.toContain(READ_KEY);
  });
});
