import { ConnectorError } from '../../connector-error';
import type { ConnectorConfig } from '../../types';
import {
  verifyZadarmaWebhook,
  zadarmaAuthorization,
  zadarmaGet,
  zadarmaQuery,
  zadarmaWebhookSignature,
  zadarmaWebhookSignedString,
} from './zadarma.api';
import { connector } from './zadarma.connector';
import { ZadarmaFake } from './zadarma.fake';

const KEY = 'fake-zd-key';
const SECRET = 'fake-zd-secret-0003';

describe('zadarma connector', () => {
  const fake = new ZadarmaFake(KEY, SECRET);
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const config = (over: Record<string, string> = {}, baseUrl = fake.baseUrl): ConnectorConfig => ({
    credentials: { api_key: KEY, api_secret: SECRET, ...over },
    settings: { base_url: baseUrl, default_sip: '100' },
  });
  const failure = (c: ConnectorConfig) =>
    connector.test(c).then(
      () => null,
      (e: unknown) => e as ConnectorError,
    );

  it('declares the manifest of docs/providers/zadarma.md', () => {
    expect(connector.manifest).toMatchObject({ key: 'zadarma', category: 'voip' });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required])).toEqual([
      ['api_key', false, true],
      ['api_secret', true, true],
    ]);
    expect(connector.manifest.settings.map((s) => s.name)).toEqual(['default_sip']);
  });

  it('passes with the right credentials; the request is a signed GET /v1/info/balance/', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect([req.method, req.path, req.query.toString()]).toEqual(['GET', '/v1/info/balance/', 'format=json']);
    expect(req.headers.authorization).toBe(zadarmaAuthorization(KEY, SECRET, '/v1/info/balance/', { format: 'json' }));
    expect(req.headers.authorization).toBe(`${KEY}:${fake.expectedSignature('/v1/info/balance/', { format: 'json' })}`);
    expect(req.rejected).toBeUndefined();
  });

  it("fails with code auth and Zadarma's message on a wrong secret or key, never echoing the secret", async () => {
    for (const over of [{ api_secret: 'wrong-secret-zz' }, { api_key: 'other-key' }] as Record<string, string>[]) {
      const err = await failure(config(over));
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ code: 'auth', message: 'Not authorized' });
    }
    expect(fake.requests.every((r) => r.rejected)).toBe(true);
  });

  it('settings.base_url replaces scheme, host and port only', async () => {
    await connector.test(config({}, `${fake.baseUrl}/proxy/path/`));
    expect(fake.requests[0].path).toBe('/v1/info/balance/');
  });

  it('maps 429 to rate_limited and a missing secret to invalid_config', async () => {
    fake.rateLimitNext();
    expect((await failure(config()))?.code).toBe('rate_limited');
    expect((await failure(config({ api_secret: '' })))?.code).toBe('invalid_config');
  });

  it('signs parameters the way PHP http_build_query does (click-to-call through the fake)', async () => {
    const res = await zadarmaGet<{ from: string; to: string }>(config(), '/v1/request/callback/', {
      to: '442037691881',
      from: '100',
      sip: "1 *~'",
    });
    expect(res).toMatchObject({ from: '100', to: '442037691881' });
    expect(fake.callbacks).toEqual([expect.objectContaining({ from: '100', to: '442037691881', sip: "1 *~'" })]);
    // The fake re-encodes with its own PHP urlencode: a connector using URLSearchParams' rules (`*` left
    // bare) would have signed different bytes and been refused.
    expect(fake.requests[0].rejected).toBeUndefined();
  });

  describe('signatures (fixed test vectors)', () => {
    it('API Authorization', () => {
      const params = { from: '100', to: '442037691881', format: 'json' };
      expect(zadarmaQuery(params)).toBe('format=json&from=100&to=442037691881');
      expect(zadarmaAuthorization('zd-user-key', 'zd-secret', '/v1/request/callback/', params)).toBe(
        'zd-user-key:MzgwMDE4ZWUyMjgwMWRmODkyN2FmY2Q0ZTVhZTAyMjNmMTljODNmYQ==',
      );
    });

    it('webhook Signature in both encodings', () => {
      const fields = {
        event: 'NOTIFY_START',
        call_start: '2024-01-01 10:00:00',
        pbx_call_id: 'in_1',
        caller_id: '442037691880',
        called_did: '442037691881',
      };
      const signed = zadarmaWebhookSignedString(fields);
      expect(signed).toBe('4420376918804420376918812024-01-01 10:00:00');
      expect(zadarmaWebhookSignature('zd-secret', signed!, 'hex')).toBe(
        'NzMzNGJiY2QyYjk4NDQ5NTM0ZDk5ODljYmE0YThlNDE5NTA5NjY3Mw==',
      );
      expect(zadarmaWebhookSignature('zd-secret', signed!, 'raw')).toBe('czS7zSuYRJU02ZicukqOQZUJZnM=');
      expect(
        verifyZadarmaWebhook('zd-secret', fields, 'NzMzNGJiY2QyYjk4NDQ5NTM0ZDk5ODljYmE0YThlNDE5NTA5NjY3Mw=='),
      ).toBe(true);
      expect(verifyZadarmaWebhook('zd-secret', fields, 'czS7zSuYRJU02ZicukqOQZUJZnM=')).toBe(true);
      expect(
        verifyZadarmaWebhook('zd-secret', { ...fields, caller_id: '442037691889' }, 'czS7zSuYRJU02ZicukqOQZUJZnM='),
      ).toBe(false);
      expect(
        verifyZadarmaWebhook('zd-secret', { ...fields, event: 'NOTIFY_UNKNOWN' }, 'czS7zSuYRJU02ZicukqOQZUJZnM='),
      ).toBe(false);
      expect(verifyZadarmaWebhook('zd-secret', fields, undefined)).toBe(false);
    });

    it("agrees with the fake's independently signed notifications", async () => {
      await zadarmaGet(config(), '/v1/request/callback/', { from: '100', to: '442037691881' });
      for (const n of fake.outboundCall(fake.callbacks[0], 'busy')) {
        const fields = new URLSearchParams(n.body);
        expect(verifyZadarmaWebhook(SECRET, fields, n.headers.signature)).toBe(true);
        expect(verifyZadarmaWebhook('another-secret', fields, n.headers.signature)).toBe(false);
      }
      const rec = fake.notification(
        'NOTIFY_RECORD',
        { pbx_call_id: 'in_1', call_id_with_rec: '1700000000.123' },
        'raw',
      );
      expect(verifyZadarmaWebhook(SECRET, new URLSearchParams(rec.body), rec.headers.signature)).toBe(true);
    });
  });

  it('the fake refuses a bad signature as Zadarma does', async () => {
    const res = await fetch(`${fake.baseUrl}/v1/request/callback/?format=json&from=100&to=442037691881`, {
      headers: { authorization: `${KEY}:${Buffer.from('not-a-signature').toString('base64')}` },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ status: 'error', message: 'Not authorized' });
    // A signature over other parameters than those sent is refused too.
    const signedOther = zadarmaAuthorization(KEY, SECRET, '/v1/request/callback/', {
      format: 'json',
      from: '100',
      to: '1',
    });
    const res2 = await fetch(`${fake.baseUrl}/v1/request/callback/?format=json&from=100&to=442037691881`, {
      headers: { authorization: signedOther },
    });
    expect(res2.status).toBe(401);
    expect(fake.callbacks).toHaveLength(0);
  });
});
