import { join } from 'node:path';

import { PROVIDERS_DIR } from '@app/connectors';
import { TwilioFake } from '@app/connectors/providers/twilio/twilio.fake';
import type { ProviderView } from '@app/contracts';
import { FakeServer } from '@app/testing';

import { createCatalogService } from '../../catalog/src/definition';
import { PROVIDER_SEED } from '../../catalog/src/seed/providers.seed';
import { startPlatform, type Platform } from '../src/platform';

/** The fixture provider's API: GET /v2/accounts/:account with a bearer token. */
class FixtureSmsFake extends FakeServer {
  constructor(account: string, token: string) {
    super();
    this.route('GET', /^\/v2\/accounts\/[^/]+$/, (r) => {
      if (r.headers.authorization !== `Bearer ${token}`) return { status: 401, body: { error: 'invalid token' } };
      if (r.path !== `/v2/accounts/${account}`) return { status: 404, body: { error: 'no such account' } };
      return { status: 200, body: { account, status: 'active' } };
    });
  }
}

describe('adding a provider = one connector file + one seed entry', () => {
  let p: Platform;
  let fake: FixtureSmsFake;
  let twilio: TwilioFake;

  beforeAll(async () => {
    fake = await new FixtureSmsFake('acme', 'fx-token-1234567890').start();
    twilio = await new TwilioFake('AC0123456789abcdef0123456789abcdef', 'twilio-auth-token-000000000000').start();
    // the platform's own connectors plus a directory holding only the fixture's connector file,
    // and the platform's seed plus one entry: no migration, no gateway or service change
    const catalog = createCatalogService({
      connectorDirs: [PROVIDERS_DIR, join(__dirname, 'fixtures/providers')],
      seed: [...PROVIDER_SEED, { key: 'fixture_sms' }],
    });
    p = await startPlatform({ services: ['catalog'], definitions: { catalog } });
  });
  afterAll(async () => {
    await p?.stop();
    await fake?.stop();
    await twilio?.stop();
  });

  it('lists, activates, tests and swaps to the new provider through the gateway', async () => {
    const list = (await (await p.api('/api/platform/integrations/providers?category=sms')).json()) as {
      providers: ProviderView[];
    };
    expect(list.providers.map((x) => x.key).sort()).toEqual(['fixture_sms', 'twilio_sms']);
    expect(list.providers.find((x) => x.key === 'fixture_sms')).toMatchObject({
      name: 'Fixture SMS',
      status: 'inactive',
      settings: { region: 'eu' },
    });

    const tw = await p.api('/api/platform/integrations/providers/twilio_sms/activate', {
      method: 'POST',
      json: {
        credentials: { account_sid: twilio.accountSid, auth_token: twilio.authToken, from_number: '+15005550006' },
        settings: { base_url: twilio.baseUrl },
      },
    });
    expect(tw.status).toBe(200);
    expect(((await tw.json()) as ProviderView).is_default).toBe(true);

    const act = await p.api('/api/platform/integrations/providers/fixture_sms/activate', {
      method: 'POST',
      json: {
        credentials: { account: 'acme', token: 'fx-token-1234567890' },
        settings: { base_url: fake.baseUrl },
        verify: true,
      },
    });
    expect(act.status).toBe(200);
    expect(await act.json()).toMatchObject({
      status: 'active',
      is_default: false,
      credentials: { account: 'acme', token: '****7890' },
    });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/v2/accounts/acme' });

    expect((await p.api('/api/platform/integrations/providers/fixture_sms/test', { method: 'POST' })).status).toBe(200);
    const swap = await p.api('/api/platform/integrations/categories/sms/default', {
      method: 'PUT',
      json: { provider: 'fixture_sms' },
    });
    expect(swap.status).toBe(200);
    expect(await swap.json()).toMatchObject({ category: 'sms', default_provider: 'fixture_sms' });

    const bad = await p.api('/api/platform/integrations/providers/fixture_sms/credentials', {
      method: 'PUT',
      json: { credentials: { token: 'wrong-token-0000' } },
    });
    expect(bad.status).toBe(200);
    const refused = await p.api('/api/platform/integrations/providers/fixture_sms/test', { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toContain('invalid token');
  });
});
