import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConnectorRegistry } from '@app/connectors';
import type { Problem, Schemas } from '@app/sdk';

import { PROVIDER_SEED } from '../../catalog/src/seed/providers.seed';
import { startPlatform, type Platform } from '../src/platform';

/** The seeded email providers, from the seed and the connectors (no hand-kept list). */
const registry = ConnectorRegistry.fromDirectories();
const SEEDED_EMAIL = PROVIDER_SEED.filter((e) => registry.get(e.key)?.manifest.category === 'email')
  .map((e) => e.key)
  .sort();

/** One call per capability through the published SDK: typed answers and typed problems, from a real platform. */
describe('the SDK against the platform', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform();
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('is typed by the document the gateway serves at /docs-json', async () => {
    const served: unknown = await (await fetch(`${p.gateway.url}/docs-json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8')));
  });

  it('catalog: lists the seeded providers; an unknown key is a 404 problem', async () => {
    const { data } = await p.sdk.GET('/api/platform/integrations/providers', {
      params: { query: { category: 'email' } },
    });
    const keys = data?.providers.map((provider: Schemas['ProviderView']) => provider.key);
    expect(SEEDED_EMAIL).toEqual(expect.arrayContaining(['gmail', 'sendgrid']));
    expect(keys?.sort()).toEqual(SEEDED_EMAIL);
    const { error } = await p.sdk.GET('/api/platform/integrations/providers/{key}', {
      params: { path: { key: 'nope' } },
    });
    const problem: Problem | undefined = error;
    expect(problem).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('payments: puts a route and reads it back; an invalid gateway is a 400 naming the field', async () => {
    const path = { country: 'br' };
    const put = await p.sdk.PUT('/api/platform/payments/routing/{country}', {
      params: { path },
      body: { deposit_gateway: 'bridgerpay', withdrawal_gateway: 'praxis', note: null },
    });
    expect(put.data).toMatchObject({ country: 'BR', deposit_gateway: 'bridgerpay', note: null });
    const got = await p.sdk.GET('/api/platform/payments/routing/{country}', { params: { path } });
    expect(got.data?.withdrawal_gateway).toBe('praxis');
    const bad = await p.sdk.PUT('/api/platform/payments/routing/default', {
      body: { deposit_gateway: 'Not A Key', withdrawal_gateway: 'praxis' },
    });
    expect(bad.error?.errors?.map((e) => e.field)).toEqual(['deposit_gateway']);
  });

  it('kyc: a customer without a record is a 404 problem', async () => {
    const { error, response } = await p.sdk.GET('/api/platform/kyc/customers/{customer_id}', {
      params: { path: { customer_id: randomUUID() } },
    });
    expect([response.status, error?.status]).toEqual([404, 404]);
  });

  it('comms: lists messages; an unknown message id is a 404 problem', async () => {
    const { data } = await p.sdk.GET('/api/platform/integrations/messages', { params: { query: { limit: 5 } } });
    expect(Array.isArray(data?.messages)).toBe(true);
    const { error } = await p.sdk.GET('/api/platform/integrations/messages/{id}', {
      params: { path: { id: randomUUID() } },
    });
    expect(error?.status).toBe(404);
  });

  it('affiliates: reads the intake counters; an unknown affiliate is a 404 problem', async () => {
    const { data } = await p.sdk.GET('/api/platform/affiliates/intake/stats');
    expect(typeof data?.unattributed_events).toBe('number');
    const { error } = await p.sdk.GET('/api/platform/affiliates/{affiliate_id}', {
      params: { path: { affiliate_id: 'nobody' } },
    });
    expect(error?.status).toBe(404);
  });

  it('operations: lists dead letters with a cursor', async () => {
    const { data } = await p.sdk.GET('/api/platform/ops/dead-letters', { params: { query: { limit: 10 } } });
    expect(data).toMatchObject({ dead_letters: expect.any(Array) });
    expect(data?.next_cursor === null || typeof data?.next_cursor === 'string').toBe(true);
  });
});
