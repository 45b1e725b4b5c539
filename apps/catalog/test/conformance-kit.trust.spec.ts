import type { CallbackResult, Connector, EmailPort } from '@app/connectors';
import {
  ConformanceKit,
  discoverConnectors,
  type ConformanceDescriptor,
  type ConformanceRule,
} from '@app/testing/conformance';

import { platform } from './conformance.platform';

/**
 * The kit can fail: each deliberate mistake in a copy of a conforming connector (Mailgun) or of its
 * descriptor fails the rule that guards against it.
 */
const kit = new ConformanceKit(platform);
const found = discoverConnectors().find((f) => f.connector.manifest.key === 'mailgun')!;
const mailgun = found.connector;
const mailgunKit = found.descriptor!;
const FILE = found.file!;

const withEmail = (email: Partial<EmailPort>, base: Connector = mailgun): Connector => ({
  ...base,
  email: { ...base.email!, ...email },
});
const parse = mailgun.email!.parseCallback!;
const mapStatus = (r: CallbackResult, fn: (s: string | null) => string | null): CallbackResult => ({
  ...r,
  events: r.events.map((e) => ({ ...e, status: fn(e.status) as never })),
});

async function failing(connector: Connector, descriptor: ConformanceDescriptor = mailgunKit, file = FILE) {
  const report = await kit.check(connector, file, descriptor);
  return Object.fromEntries(
    report.results.filter((r) => r.outcome === 'fail').map((r) => [r.rule, r.problems.join('; ')]),
  ) as Partial<Record<ConformanceRule, string>>;
}

describe('the conformance kit fails what it guards against', () => {
  it('passes Mailgun as it is', async () => {
    expect(await failing(mailgun)).toEqual({});
  });

  it('manifest: a key that is not snake_case, or one the seed does not name', async () => {
    expect(Object.keys(await failing({ ...mailgun, manifest: { ...mailgun.manifest, key: 'Mail-Gun' } }))).toContain(
      'manifest',
    );
    const unseeded = await failing(
      { ...mailgun, manifest: { ...mailgun.manifest, key: 'mailgun_two' } },
      mailgunKit,
      FILE.replace('mailgun.connector', 'mailgun_two.connector'),
    );
    expect(unseeded.manifest).toContain('seed has no entry for mailgun_two');
  });

  it('port: an email connector without send, or one that answers no status', async () => {
    const noSend = { ...mailgun.email!, send: undefined } as unknown as EmailPort;
    expect((await failing({ ...mailgun, email: noSend })).port).toContain('no send()');
    const vague = withEmail({
      send: async (...a) => ({ ...(await mailgun.email!.send(...a)), status: 'done' as never }),
    });
    expect((await failing(vague)).port).toContain('not one of ours');
  });

  it('test: a test() that proves nothing', async () => {
    const lenient = await failing({ ...mailgun, test: () => Promise.resolve() });
    expect(lenient.test).toContain('wrong credentials resolved');
    expect(lenient.test).toContain('called nothing');
  });

  it('webhooks: a parser that does not verify, and one that keys every event alike', async () => {
    const trusting = withEmail({
      parseCallback: (config, cb) => {
        const body = JSON.parse(cb.body.toString()) as Record<string, unknown>;
        const signed = { ...(body.signature as object) };
        return parse(
          {
            ...config,
            credentials: { ...config.credentials, webhook_signing_key: 'mg-conformance-signing-key-abcdef' },
          },
          { ...cb, body: Buffer.from(JSON.stringify({ ...body, signature: signed })) },
        );
      },
    });
    // the verifying key is always the conformance one: forged and no-secret callbacks get through
    const t = (await failing(trusting)).webhooks;
    expect(t).toContain('forged: accepted');
    expect(t).toContain('no-secret: accepted');
    const sameKey = withEmail({
      parseCallback: (config, cb) => {
        const r = parse(config, cb);
        return { ...r, events: r.events.map((e) => ({ ...e, providerEventId: 'one' })) };
      },
    });
    expect((await failing(sameKey)).webhooks).toContain('the same event key');
    const noGuard = withEmail({
      parseCallback: (config, cb) => ({ ...parse(config, cb), replayGuard: undefined }),
    });
    // without the used-token claim, a body changed under a captured signature is simply accepted
    expect((await failing(noGuard)).webhooks).toContain('tampered: accepted');
  });

  it('statuses: a documented status missing from the table, a mapping that moves backwards, an inherited key', async () => {
    const { stored: _stored, ...table } = mailgunKit.statuses!.table;
    const missing = await failing(mailgun, { ...mailgunKit, statuses: { ...mailgunKit.statuses!, table } });
    expect(missing.statuses).toContain('stored is documented but not in the table');
    const backwards = withEmail({
      parseCallback: (config, cb) => mapStatus(parse(config, cb), (s) => (s === 'opened' ? 'sent' : s)),
    });
    expect((await failing(backwards)).statuses).toContain('moves delivered back to sent');
    const inherited = await failing(mailgun, {
      ...mailgunKit,
      statuses: {
        ...mailgunKit.statuses!,
        table: Object.create(
          { toString: 'sent' },
          Object.getOwnPropertyDescriptors(mailgunKit.statuses!.table),
        ) as Record<string, unknown>,
      },
    });
    expect(inherited).toEqual({});
    const ownToString = await failing(mailgun, {
      ...mailgunKit,
      statuses: { ...mailgunKit.statuses!, table: { ...mailgunKit.statuses!.table, toString: 'sent' } },
    });
    expect(ownToString.statuses).toContain('the table answers toString');
  });

  it('hosts: an ill-formed host, and a connector that calls its base_url without the host policy', async () => {
    expect((await failing({ ...mailgun, manifest: { ...mailgun.manifest, hosts: ['*.net'] } })).hosts).toContain(
      'not a lower-case DNS name',
    );
    const direct = await failing({
      ...mailgun,
      test: async (config) => {
        await fetch(String(config.settings.base_url)).catch(() => undefined);
        return mailgun.test(config);
      },
    });
    expect(direct.hosts).toMatch(/the undocumented host \(http:\/\/127\.0\.0\.2:\d+\/\) received 1 request/);
  });

  it('secrets: a credential in a thrown error or in a log line', async () => {
    const thrown = await failing({
      ...mailgun,
      test: async (config) => {
        await mailgun.test(config).catch(() => {
          throw new Error(`mailgun said no to ${config.credentials.api_key}`);
        });
      },
    });
    expect(thrown.secrets).toContain('a credential appears in test() with wrong credentials');
    const chatty = await failing({
      ...mailgun,
      test: (config) => {
        process.stdout.write(`${JSON.stringify({ msg: 'testing', key: config.credentials.api_key })}\n`);
        return mailgun.test(config);
      },
    });
    expect(chatty.secrets).toContain('a credential appears in a log line');
  });

  it('every rule fails, naming the file, for a connector without a descriptor', async () => {
    const report = await kit.check(mailgun, FILE, undefined);
    expect(report.results.filter((r) => r.outcome === 'fail').map((r) => r.rule)).toEqual([
      'port',
      'test',
      'webhooks',
      'statuses',
      'hosts',
      'secrets',
    ]);
    expect(report.results[1].problems[0]).toContain('no mailgun.conformance.ts');
  });
});
