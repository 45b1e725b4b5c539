import { randomUUID } from 'node:crypto';

import { queryRows } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

type Problem = { status: number; code?: string; detail: string; errors?: { field: string; message: string }[] };

describe('input the database cannot take is a 400 naming the field (real services)', () => {
  let p: Platform;
  const problemOf = async (res: Response) => {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return (await res.json()) as Problem;
  };
  const fields = async (res: Response) => (await problemOf(res)).errors?.map((e) => e.field);
  const kycRows = async () =>
    (await queryRows<{ n: number }>(p.infra.databaseUrl, 'SELECT count(*)::int AS n FROM kyc.kyc_events'))[0].n;
  const auditRows = async () =>
    (await queryRows<{ n: number }>(p.infra.databaseUrl, 'SELECT count(*)::int AS n FROM catalog.audit_trail'))[0].n;
  const raw = (path: string, method: string, body: string) =>
    p.api(path, { method, body, headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    p = await startPlatform({ services: ['catalog', 'kyc', 'affiliates'] });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('refuses a NUL character in a JSON string value, naming its dotted path, and stores nothing', async () => {
    const res = await p.api('/api/platform/integrations/providers/sendgrid/activate', {
      method: 'POST',
      json: { credentials: { api_key: 'SG.abc-0123456789' }, settings: { base_url: 'http://127.0.0.1:9\u0000/x' } },
    });
    expect(res.status).toBe(400);
    expect(await fields(res)).toEqual(['settings.base_url']);
    const nested = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: {
        customer_id: randomUUID(),
        provider: 'manual',
        status: 'approved',
        reject_labels: ['OK', 'SANC\u0000TIONS'],
      },
    });
    expect(nested.status).toBe(400);
    expect(await fields(nested)).toEqual(['reject_labels.1']);
    expect(await auditRows()).toBe(0);
    expect(await kycRows()).toBe(0);
  });

  it('refuses a NUL character in a JSON key', async () => {
    const res = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: { customer_id: randomUUID(), provider: 'manual', status: 'approved', raw_result: { 'no\u0000te': 'x' } },
    });
    expect(res.status).toBe(400);
    const [field] = (await fields(res)) ?? [];
    expect(field).toMatch(/^raw_result\./);
    expect(await kycRows()).toBe(0);
  });

  it('refuses a NUL character in a query string or path parameter', async () => {
    const query = await p.api('/api/platform/integrations/providers?category=em%00ail');
    expect(query.status).toBe(400);
    expect(await fields(query)).toEqual(['category']);
    const param = await p.api(`/api/platform/kyc/customers/${randomUUID().slice(0, 35)}%00`);
    expect(param.status).toBe(400);
    expect(await fields(param)).toEqual(['customer_id']);
    const key = await p.api('/api/platform/integrations/providers/send%00grid');
    expect(key.status).toBe(400);
    expect(await fields(key)).toEqual(['key']);
  });

  it('refuses impossible calendar dates where the contract takes dates', async () => {
    const kyc = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: {
        customer_id: randomUUID(),
        provider: 'manual',
        status: 'approved',
        birth_date: '1990-02-30',
        doc_expiry: '2031-13-01',
        occurred_at: '2026-02-30T10:00:00Z',
      },
    });
    expect(kyc.status).toBe(400);
    expect((await fields(kyc))?.sort()).toEqual(['birth_date', 'doc_expiry', 'occurred_at']);
    expect(await kycRows()).toBe(0);
    const leap = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: { customer_id: randomUUID(), provider: 'manual', status: 'approved', birth_date: '2001-02-29' },
    });
    expect(leap.status).toBe(400);
    expect(await fields(leap)).toEqual(['birth_date']);
    const affiliates = await p.api('/api/platform/affiliates/events', {
      method: 'POST',
      json: { customer_id: 'cust-1', event: 'lead.registered', occurred_at: '2026-02-30T10:00:00Z' },
    });
    expect(affiliates.status).toBe(400);
    expect(await fields(affiliates)).toEqual(['occurred_at']);
    // ISO 8601 forms that neither JavaScript's Date nor Postgres read
    for (const occurredAt of ['2026-W10', '2026-060', '20260301T1000Z']) {
      const odd = await p.api('/api/platform/affiliates/events', {
        method: 'POST',
        json: { customer_id: 'cust-1', event: 'lead.registered', occurred_at: occurredAt },
      });
      expect({ occurredAt, status: odd.status }).toEqual({ occurredAt, status: 400 });
      expect(await fields(odd)).toEqual(['occurred_at']);
      const kycOdd = await p.api('/webhooks/kyc', {
        method: 'POST',
        json: { customer_id: randomUUID(), provider: 'manual', status: 'approved', occurred_at: occurredAt },
      });
      expect({ occurredAt, status: kycOdd.status }).toEqual({ occurredAt, status: 400 });
    }
    // a real leap day still goes through
    const ok = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: { customer_id: randomUUID(), provider: 'manual', status: 'approved', birth_date: '2000-02-29' },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses deeply nested JSON before any work', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const res = await raw(
      '/webhooks/kyc',
      'POST',
      `{"customer_id":"${randomUUID()}","provider":"manual","status":"approved","raw_result":${deep}}`,
    );
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.errors?.[0].field).toMatch(/^raw_result(\.a)+$/);
    const arrays = await raw(
      '/api/platform/integrations/providers/sendgrid/activate',
      'POST',
      `{"settings":${'['.repeat(100000)}${']'.repeat(100000)}}`,
    );
    expect(arrays.status).toBe(400);
    expect((await fields(arrays))?.[0]).toMatch(/^settings/);
    expect(await kycRows()).toBe(1); // only the leap-day decision above
    expect(await auditRows()).toBe(0);
    // moderate nesting is fine
    const fine = await p.api('/webhooks/kyc', {
      method: 'POST',
      json: {
        customer_id: randomUUID(),
        provider: 'manual',
        status: 'approved',
        raw_result: { a: { b: { c: { d: [1, [2, [3]]] } } } },
      },
    });
    expect(fine.status).toBe(200);
  });
});
