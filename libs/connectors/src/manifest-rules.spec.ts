import type { Connector } from './connector';
import { staticRuleProblems } from './manifest-rules';
import { ConnectorRegistry } from './registry';

const good = (): Connector => ({
  manifest: {
    key: 'demo_sms',
    name: 'Demo SMS',
    category: 'sms',
    credential_fields: [
      { name: 'account', label: 'Account', secret: false, required: true },
      { name: 'token', label: 'API token', secret: true, required: true },
    ],
    settings: [{ name: 'region', label: 'Region', default: 'eu' }],
    hosts: ['api.demo-sms.example', '*.tenant.demo-sms.example'],
  },
  test: () => Promise.resolve(),
  sms: {
    send: () => Promise.reject(new Error('not called')),
    parseCallback: () => ({ events: [] }),
  },
});

describe(staticRuleProblems.name, () => {
  it('passes a well-formed connector whose key is its file name', () => {
    expect(staticRuleProblems(good(), { file: '/x/demo_sms/demo_sms.connector.ts' })).toEqual([]);
  });

  it('names the manifest rule for a bad key, a key that is not the file name, and fields without label or secret', () => {
    const c = good();
    c.manifest.key = 'Demo-SMS';
    c.manifest.credential_fields = [{ name: 'token', label: '', secret: false, required: true }];
    const problems = staticRuleProblems(c, { file: '/x/demo_sms.connector.ts' });
    expect(problems.every((p) => p.rule === 'manifest')).toBe(true);
    expect(problems.map((p) => p.message)).toEqual([
      'key "Demo-SMS" is not snake_case',
      'key Demo-SMS is not its file name (demo_sms.connector.ts)',
      'credential_fields[0].label is empty',
      'no credential field is secret',
    ]);
  });

  it('names the hosts rule for no hosts and for hosts with a scheme, a port, an IP or upper case', () => {
    const none = good();
    none.manifest.hosts = [];
    expect(staticRuleProblems(none)).toEqual([{ rule: 'hosts', message: 'documents no hosts' }]);
    const bad = good();
    bad.manifest.hosts = [
      'https://api.demo.example',
      'api.demo.example:443',
      '127.0.0.2',
      'API.demo.example',
      'localhost',
    ];
    expect(staticRuleProblems(bad).filter((p) => p.rule === 'hosts')).toHaveLength(5);
  });

  it("names the port rule when the category's port or one of its methods is missing", () => {
    const c = good();
    delete (c.sms as Partial<NonNullable<Connector['sms']>>).parseCallback;
    expect(staticRuleProblems(c)).toEqual([{ rule: 'port', message: 'sms port has no parseCallback()' }]);
    const other = good();
    other.manifest.category = 'kyc';
    expect(staticRuleProblems(other)).toEqual([{ rule: 'port', message: 'has no kyc port, so it cannot serve kyc' }]);
  });

  it('passes every connector the registry finds', () => {
    const registry = ConnectorRegistry.fromDirectories();
    const failing = registry
      .list()
      .flatMap((c) => staticRuleProblems(c, { file: registry.sourceOf(c.manifest.key) }))
      .map((p) => p.message);
    expect(registry.list().length).toBeGreaterThan(0);
    expect(failing).toEqual([]);
  });
});
