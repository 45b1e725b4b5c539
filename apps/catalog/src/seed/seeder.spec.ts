import { ConnectorRegistry, type Connector } from '@app/connectors';

import { PROVIDER_SEED } from './providers.seed';
import { seedRefusals } from './seeder';

const connector = (key: string, hosts: string[]): Connector => ({
  manifest: {
    key,
    name: key,
    category: 'sms',
    credential_fields: [{ name: 'token', label: 'Token', secret: true, required: true }],
    settings: [],
    hosts,
  },
  test: () => Promise.resolve(),
  sms: { send: () => Promise.reject(new Error('not called')), parseCallback: () => ({ events: [] }) },
});

describe(seedRefusals.name, () => {
  it('accepts the platform seed over the platform connectors', () => {
    expect(seedRefusals(PROVIDER_SEED, ConnectorRegistry.fromDirectories())).toEqual([]);
  });

  it('refuses an entry naming no connector, and one whose connector fails a static rule', () => {
    const registry = new ConnectorRegistry([connector('ok_sms', ['api.ok.example']), connector('bad_sms', [])]);
    expect(seedRefusals([{ key: 'ok_sms' }], registry)).toEqual([]);
    expect(seedRefusals([{ key: 'ok_sms' }, { key: 'bad_sms' }, { key: 'none' }], registry)).toEqual([
      'catalog seed names bad_sms, whose connector fails the hosts rule: documents no hosts',
      'catalog seed names none, but libs/connectors has no none.connector file',
    ]);
  });
});
