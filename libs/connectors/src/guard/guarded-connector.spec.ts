import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { guardConnector } from './guarded-connector';
import { ProviderGuards } from './provider-guard';

const SECRET = 'sk_live_0123456789abcdef';
const config = { credentials: { api_key: SECRET, account: 'acct-visible' }, settings: {} };

const echoing = (message: string): Connector => ({
  manifest: {
    key: 'echo',
    name: 'Echo',
    category: 'sms',
    credential_fields: [
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'account', label: 'Account', secret: false, required: true },
    ],
    settings: [],
    hosts: ['api.echo.example'],
  },
  test: () => Promise.reject(new ConnectorError('auth', message, { httpStatus: 401 })),
  sms: {
    send: () => Promise.reject(new ConnectorError('refused', message, { httpStatus: 400 })),
    parseCallback: () => {
      throw new ConnectorError('bad_signature', message);
    },
  },
});

describe(guardConnector.name, () => {
  const guards = () =>
    new ProviderGuards({
      failureThreshold: 5,
      cooldownMs: 1000,
      maxConcurrency: 2,
      retryAfterMaxMs: 1000,
      windowMs: 60_000,
    });

  it("masks the call's secret credentials out of every error, keeping code, options and what is not secret", async () => {
    const c = guardConnector(
      echoing(`invalid key ${SECRET} for account acct-visible (${SECRET})`),
      guards().for('echo'),
    );
    const expected = 'invalid key [redacted] for account acct-visible ([redacted])';
    await expect(c.test(config)).rejects.toMatchObject({
      code: 'auth',
      message: expected,
      options: { httpStatus: 401 },
    });
    await expect(
      c.sms!.send(config, { messageId: 'm', to: '+1', body: 'b' }, { statusCallbackUrl: 'x' }),
    ).rejects.toMatchObject({
      code: 'refused',
      message: expected,
    });
    expect(() =>
      c.sms!.parseCallback(config, { method: 'POST', url: 'x', headers: {}, body: Buffer.from('') }),
    ).toThrow(expected);
    const err = await c.test(config).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.stack).not.toContain(SECRET);
  });

  it("keeps the guard's health free of the secret too", async () => {
    const g = guards();
    const c = guardConnector(echoing(`bad ${SECRET}`), g.for('echo'));
    for (let i = 0; i < 3; i++) await c.test(config).catch(() => undefined);
    expect(JSON.stringify(g.samples())).not.toContain(SECRET);
  });

  it('passes an error without a secret through unchanged', async () => {
    const c = guardConnector(echoing('Authenticate failed'), guards().for('echo'));
    await expect(c.test(config)).rejects.toMatchObject({ message: 'Authenticate failed' });
  });
});
