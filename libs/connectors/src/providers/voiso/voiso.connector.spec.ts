import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import { connector, verifyVoisoWebhook, voisoBaseUrl } from './voiso.connector';
import { VoisoFake } from './voiso.fake';

const KEY = 'fake-voiso-key-0004';
const WH_SECRET = 'fake-voiso-webhook-secret';

describe('voiso connector', () => {
  const fake = new VoisoFake(KEY, WH_SECRET);
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const config = (
    over: Record<string, string> = {},
    settings: Record<string, unknown> = { base_url: fake.baseUrl },
  ): ConnectorConfig => ({
    credentials: { cluster: 'cc-ams03', api_key: KEY, webhook_secret: WH_SECRET, ...over },
    settings,
  });
  const failure = (c: ConnectorConfig) =>
    connector.test(c).then(
      () => null,
      (e: unknown) => e as ConnectorError,
    );

  it('declares the manifest of docs/providers/voiso.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'voiso', category: 'voip', settings: [] });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret])).toEqual([
      ['cluster', false],
      ['api_key', true],
      ['webhook_secret', true],
    ]);
  });

  it('passes with the right key; the request is GET /api/v4/users with a Bearer key', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', '/api/v4/users', `Bearer ${KEY}`],
    ]);
  });

  it("fails with code auth and Voiso's reason on a wrong key, never echoing it", async () => {
    const err = await failure(config({ api_key: 'wrong-voiso-key' }));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: 'auth', message: 'Unauthorized' });
    expect(err?.message).not.toContain('wrong-voiso-key');
    expect(fake.requests[0].rejected).toBe(true);
  });

  it('derives the host from the cluster; settings.base_url wins and replaces scheme, host and port only', async () => {
    expect(voisoBaseUrl(config({}, {}))).toBe('https://cc-ams03.voiso.com');
    expect(voisoBaseUrl(config({ cluster: 'https://CC-RTM01.voiso.com/' }, {}))).toBe('https://cc-rtm01.voiso.com');
    expect(voisoBaseUrl(config({}, { base_url: 'http://127.0.0.1:9/x/y' }))).toBe('http://127.0.0.1:9');
    await connector.test(config({}, { base_url: `${fake.baseUrl}/some/path/` }));
    expect(fake.requests[0].path).toBe('/api/v4/users');
  });

  it('refuses a cluster that would point the key at another host, before any request', async () => {
    for (const cluster of ['evil.com/#', 'cc-ams03.evil.com', 'a b', '']) {
      expect((await failure(config({ cluster }, {})))?.code).toBe('invalid_config');
    }
    expect(fake.requests).toHaveLength(0);
  });

  describe('webhook secret', () => {
    it("accepts the fake's webhook and refuses a forged, unsigned or unconfigured one", () => {
      const callId = '7f0c1f5e-1111-4222-8333-444455556666';
      const good = fake.webhook('outbound.call.hangup', callId);
      expect(verifyVoisoWebhook<{ event: string; data: { id: string } }>(good.body, WH_SECRET)).toMatchObject({
        event: 'outbound.call.hangup',
        data: { id: callId },
      });
      const bad = (body: string, secret: string | undefined) => {
        try {
          verifyVoisoWebhook(body, secret);
          return null;
        } catch (e) {
          return (e as ConnectorError).code;
        }
      };
      expect(bad(fake.webhook('outbound.call.hangup', callId, { secret: 'guess' }).body, WH_SECRET)).toBe(
        'bad_signature',
      );
      expect(bad(JSON.stringify({ event: 'outbound.call.hangup' }), WH_SECRET)).toBe('bad_signature');
      expect(bad('not json', WH_SECRET)).toBe('bad_signature');
      expect(bad(good.body, undefined)).toBe('bad_signature');
    });
  });

  describe('call statuses', () => {
    const statusOf = (event: string, data: Record<string, unknown> = {}) => {
      const hook = fake.webhook(event, '7f0c1f5e-1111-4222-8333-444455556666', { data });
      const cb = { method: 'POST', url: 'https://platform.example/webhooks/comms/voiso', ...hook };
      return connector.voice!.parseCallback(config(), { ...cb, body: Buffer.from(hook.body) }).events[0].status;
    };

    it('maps a hangup by its disposition, and one without a disposition to completed', () => {
      expect(statusOf('outbound.call.answered')).toBe('answered');
      expect(statusOf('outbound.call.hangup')).toBe('completed');
      expect(statusOf('outbound.call.hangup', { disposition: 'answered' })).toBe('completed');
      expect(statusOf('outbound.call.hangup', { disposition: 'busy' })).toBe('busy');
      expect(statusOf('outbound.call.hangup', { disposition: 'system_abandoned' })).toBe('canceled');
      expect(statusOf('outbound.call.ended')).toBeNull();
    });

    it('moves no status on a hangup whose disposition the table does not know (never a final completed)', () => {
      for (const disposition of ['some_new_outcome', 'constructor', '__proto__', 'toString'])
        expect(statusOf('outbound.call.hangup', { disposition })).toBeNull();
    });
  });

  describe('the fake, as Voiso', () => {
    const c2c = (key: string, query: string, init: RequestInit = {}) =>
      fetch(`${fake.baseUrl}/api/v1/${key}/click2call${query}`, { method: 'POST', ...init });

    it('refuses a wrong key in the click2call path with 403 {errors}', async () => {
      const res = await c2c('not-the-key', '?agent=1002&number=442037691881&get_call_id=true');
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ errors: 'Invalid API key' });
      expect(fake.clicks).toHaveLength(0);
    });

    it('answers click2call with 200 {call_id} when asked, else 204; params from query, form or JSON', async () => {
      const withId = await c2c(KEY, '', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent: '1002', number: '442037691881', account_id: 'lead-7', get_call_id: true }),
      });
      expect(withId.status).toBe(200);
      const { call_id } = (await withId.json()) as { call_id: string };
      expect(fake.clicks[0]).toMatchObject({
        callId: call_id,
        agent: '1002',
        number: '442037691881',
        account_id: 'lead-7',
      });
      const plain = await c2c(KEY, '', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'agent=agent1%40example.com&number=442037691881',
      });
      expect(plain.status).toBe(204);
      const hook = JSON.parse(fake.webhook('outbound.call.answered', call_id).body) as {
        secret: string;
        data: { ext_user_id: string };
      };
      expect(hook).toMatchObject({ secret: WH_SECRET, data: { ext_user_id: 'lead-7' } });
    });

    it('refuses a number with "+", and an unknown agent with {"errors":"User not found"}', async () => {
      expect((await c2c(KEY, '?agent=1002&number=%2B442037691881')).status).toBe(400);
      const res = await c2c(KEY, '?agent=9999&number=442037691881');
      expect([res.status, await res.json()]).toEqual([400, { errors: 'User not found' }]);
    });
  });
});
