import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { ConnectorRegistry, PROVIDERS_DIR } from '@app/connectors';
import type { MessageView, ProviderView } from '@app/contracts';
import { eventually } from '@app/testing';

import { createCatalogService } from '../../catalog/src/definition';
import { PROVIDER_SEED } from '../../catalog/src/seed/providers.seed';
import { startPlatform, type Platform } from '../src/platform';
import { throwawaySignature } from './fixtures/throwaway_sms/throwaway_sms.connector';
import { ThrowawaySmsFake } from './fixtures/throwaway_sms/throwaway_sms.fake';

const KEY = 'throwaway_sms';
/** Where the provider is dropped: a folder beside the platform's own connectors, removed afterwards. */
const FOLDER = join(PROVIDERS_DIR, KEY);
const SEED = [...PROVIDER_SEED, { key: KEY }];
const PUBLIC = 'https://integrations.broker.example';

describe('adding a provider = one connector folder + one seed entry', () => {
  let p: Platform;
  let fake: ThrowawaySmsFake;

  const json = async <T>(res: Response) => (await res.json()) as T;
  const post = (path: string, body: unknown) =>
    p.api(`/api/platform/integrations${path}`, { method: 'POST', json: body });
  const message = async (id: string) => json<MessageView>(await p.api(`/api/platform/integrations/messages/${id}`));

  beforeAll(async () => {
    rmSync(FOLDER, { recursive: true, force: true });
    cpSync(join(__dirname, 'fixtures', KEY), FOLDER, { recursive: true });
    fake = await new ThrowawaySmsFake('acme', 'tw-token-1234567890').start();
    // the platform's seed plus one entry: no migration, no gateway or service change
    p = await startPlatform({
      services: ['catalog', 'comms'],
      definitions: { catalog: createCatalogService({ seed: SEED }) },
      env: { PUBLIC_BASE_URL: PUBLIC },
    });
  });
  afterAll(async () => {
    rmSync(FOLDER, { recursive: true, force: true });
    await p?.stop();
    await fake?.stop();
  });

  it('is listed, activated, tested and made the default through the catalog', async () => {
    const registry = ConnectorRegistry.fromDirectories();
    const sms = SEED.filter((e) => registry.get(e.key)?.manifest.category === 'sms').map((e) => e.key);
    expect(sms).toContain(KEY);
    const list = await json<{ providers: ProviderView[] }>(
      await p.api('/api/platform/integrations/providers?category=sms'),
    );
    expect(list.providers.map((x) => x.key).sort()).toEqual(sms.sort());
    expect(list.providers.find((x) => x.key === KEY)).toMatchObject({
      name: 'Throwaway SMS',
      status: 'inactive',
      settings: { region: 'eu' },
    });

    const act = await post(`/providers/${KEY}/activate`, {
      credentials: { account: 'acme', token: 'tw-token-1234567890' },
      settings: { base_url: fake.baseUrl },
      verify: true,
    });
    expect(act.status).toBe(200);
    expect(await act.json()).toMatchObject({ status: 'active', credentials: { account: 'acme', token: '****7890' } });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v2/accounts/acme' });
    expect((await post(`/providers/${KEY}/test`, {})).status).toBe(200);
    const swap = await p.api('/api/platform/integrations/categories/sms/default', {
      method: 'PUT',
      json: { provider: KEY },
    });
    expect(swap.status).toBe(200);
    expect(await swap.json()).toMatchObject({ category: 'sms', default_provider: KEY });
  });

  it('sends through it (comms dispatch) and its signed callbacks move the status (gateway webhook route)', async () => {
    const res = await post('/sms/send', { to: '+442037691881', body: 'Your code is 123456', event_type: 'otp' });
    expect(res.status).toBe(200);
    const reply = await json<{ message_id: string; provider: string }>(res);
    expect(reply.provider).toBe(KEY);
    const sent = await eventually('the provider got the message', () => fake.sent.at(-1));
    expect(sent).toMatchObject({ to: '+442037691881', body: 'Your code is 123456' });
    expect(sent.callback_url).toContain(`${PUBLIC}/webhooks/comms/${KEY}`);
    await eventually('the message is sent', async () =>
      (await message(reply.message_id)).status === 'sent' ? true : undefined,
    );

    const body = JSON.stringify({ id: sent.id, status: 'delivered' });
    const hook = (signature: string) =>
      fetch(`${p.gateway.url}/webhooks/comms/${KEY}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-throwaway-signature': signature },
      });
    expect((await hook(throwawaySignature('another-token', body))).status).toBe(401);
    expect((await message(reply.message_id)).status).toBe('sent');
    expect((await hook(throwawaySignature('tw-token-1234567890', body))).status).toBe(200);
    expect((await message(reply.message_id)).status).toBe('delivered');
  });

  it('reports its refusal of changed credentials as 422 with its reason', async () => {
    const bad = await p.api(`/api/platform/integrations/providers/${KEY}/credentials`, {
      method: 'PUT',
      json: { credentials: { token: 'wrong-token-0000' } },
    });
    expect(bad.status).toBe(200);
    const refused = await post(`/providers/${KEY}/test`, {});
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toContain('invalid token');
  });
});
