import { inboxPrefixFor, natsConnectOptions } from './nats';

describe(natsConnectOptions.name, () => {
  it("connects as the given user, with replies under the app's own inbox prefix", () => {
    const opts = natsConnectOptions({
      url: 'nats://127.0.0.1:4222',
      name: 'catalog-1',
      app: 'catalog',
      user: 'catalog',
      pass: 'pw',
    });
    expect(opts).toMatchObject({
      servers: 'nats://127.0.0.1:4222',
      name: 'catalog-1',
      user: 'catalog',
      pass: 'pw',
      inboxPrefix: '_INBOX_catalog',
      // no RequestError/TimeoutError built per request in case it fails
      noAsyncTraces: true,
    });
  });

  it('sends no credentials when none are configured (a local unauthenticated NATS)', () => {
    const opts = natsConnectOptions({
      url: 'nats://127.0.0.1:4222',
      name: 'gateway',
      app: 'gateway',
      user: '',
      pass: '',
    });
    expect(opts).not.toHaveProperty('user');
    expect(opts).not.toHaveProperty('pass');
    expect(opts.inboxPrefix).toBe(inboxPrefixFor('gateway'));
    expect(inboxPrefixFor('gateway')).toBe('_INBOX_gateway');
  });
});
