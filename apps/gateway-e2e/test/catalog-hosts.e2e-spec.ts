import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import type { ProviderView } from '@app/contracts';

import { startPlatform, type Platform } from '../src/platform';

const SG_KEY = 'SG.live-key-abcdefghijklmnop-1234';
type Problem = { status: number; errors?: { field: string; message: string }[] };

/** Stored credentials go only to the provider's documented hosts or to CONNECTOR_ALLOWED_HOSTS (loopback here). */
describe('connector host pinning through the gateway', () => {
  let p: Platform;
  let sendgrid: SendgridFake;
  let attacker: SendgridFake;

  const activate = (key: string, body: unknown) =>
    p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body });
  const fields = async (res: Response) => ((await res.json()) as Problem).errors?.map((e) => e.field).sort();

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    // another origin (another port) a platform key would like the stored key to be sent to
    attacker = await new SendgridFake({ apiKey: 'SG.attacker-does-not-know-it-0000' }).start();
    p = await startPlatform({ services: ['catalog'] });
    expect(
      (await activate('sendgrid', { credentials: { api_key: SG_KEY }, settings: { base_url: sendgrid.baseUrl } }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await sendgrid?.stop();
    await attacker?.stop();
  });

  it.each([
    ['sendgrid', 'base_url', 'https://collector.attacker.example'],
    ['sendgrid', 'base_url', 'http://127.0.0.2:9'],
    ['sendgrid', 'base_url', 'https://api.sendgrid.com.attacker.example'],
    ['gmail', 'token_url', 'javascript:alert(1)'],
    ['gmail', 'token_url', 'https://collector.attacker.example/token'],
    ['bridgerpay', 'embed_script_url', 'https://skimmer.attacker.example/connector.min.js'],
  ])('refuses %s settings.%s = %s with 400 naming the setting, storing nothing', async (key, name, value) => {
    const before = (await (await p.api(`/api/platform/integrations/providers/${key}`)).json()) as ProviderView;
    const res = await activate(key, { settings: { [name]: value } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await fields(res)).toContain(`settings.${name}`);
    const after = (await (await p.api(`/api/platform/integrations/providers/${key}`)).json()) as ProviderView;
    expect(after.settings).toEqual(before.settings);
  });

  it('will not move stored secrets to another origin unless they are given again in the same request', async () => {
    const moved = await activate('sendgrid', { settings: { base_url: attacker.baseUrl } });
    expect(moved.status).toBe(400);
    expect(await fields(moved)).toEqual(['credentials.api_key']);
    // nothing moved: the next test still goes to the original host with the stored key
    expect((await p.api('/api/platform/integrations/providers/sendgrid/test', { method: 'POST' })).status).toBe(200);
    expect(attacker.requests).toHaveLength(0);
    expect(sendgrid.requests.at(-1)?.headers.authorization).toBe(`Bearer ${SG_KEY}`);

    const withKey = await activate('sendgrid', {
      credentials: { api_key: 'SG.attacker-does-not-know-it-0000' },
      settings: { base_url: attacker.baseUrl },
    });
    expect(withKey.status).toBe(200);
    expect((await p.api('/api/platform/integrations/providers/sendgrid/test', { method: 'POST' })).status).toBe(200);
    expect(attacker.requests.map((r) => r.headers.authorization)).toEqual(['Bearer SG.attacker-does-not-know-it-0000']);
  });
});
