import { HostPolicy, type Connector, type ProviderManifest } from '@app/connectors';

import { checkCredentials, checkOriginMove, checkSettings, maskSecret, portErrors } from './credentials.policy';

const manifest: ProviderManifest = {
  key: 'demo',
  name: 'Demo',
  category: 'email',
  credential_fields: [
    { name: 'api_key', label: 'API key', secret: true, required: true },
    { name: 'region', label: 'Region', secret: false, required: false },
  ],
  settings: [
    { name: 'sender', label: 'Sender' },
    { name: 'token_url', label: 'Token URL', default: 'https://auth.demo.example/token' },
  ],
  hosts: ['api.demo.example', 'auth.demo.example', '*.tenant.demo.example'],
};
const loopback = new HostPolicy(['127.0.0.1']);
const none = new HostPolicy([]);

describe('credentials policy', () => {
  it('accepts known string fields and reports nothing', () => {
    expect(checkCredentials(manifest, { api_key: 'k' }, new Set())).toEqual([]);
  });

  it('names unknown, non-string, empty and oversized fields', () => {
    const errors = checkCredentials(manifest, { nope: 'x', api_key: 5, region: '' }, null);
    expect(errors.map((e) => e.field).sort()).toEqual([
      'credentials.api_key',
      'credentials.nope',
      'credentials.region',
    ]);
    expect(checkCredentials(manifest, { api_key: 'x'.repeat(8193) }, null)[0].message).toMatch(/8192/);
  });

  it('requires required fields only when neither given nor stored', () => {
    expect(checkCredentials(manifest, {}, new Set())).toEqual([
      { field: 'credentials.api_key', message: 'is required' },
    ]);
    expect(checkCredentials(manifest, {}, new Set(['api_key']))).toEqual([]);
  });

  it('accepts declared settings and base_url, refusing others and non-http URLs', () => {
    expect(checkSettings(manifest, { sender: 'a', base_url: 'http://127.0.0.1:9' }, loopback)).toEqual([]);
    expect(
      checkSettings(manifest, { colour: 'red', base_url: 'javascript:alert(1)', sender: { a: 1 } }, loopback)
        .map((e) => e.field)
        .sort(),
    ).toEqual(['settings.base_url', 'settings.colour', 'settings.sender']);
  });

  it.each([
    ['base_url', 'https://attacker.example'],
    ['base_url', 'http://api.demo.example'],
    ['base_url', 'https://api.demo.example:8443'],
    ['base_url', 'https://api.demo.example.attacker.example'],
    ['base_url', 'https://127.0.0.1'],
    ['base_url', 'http://127.0.0.2:9'],
    ['token_url', 'javascript:alert(1)'],
    ['token_url', 'https://u:p@auth.demo.example/token'],
    ['base_url', 'https://tenant.demo.example'],
  ])('refuses %s = %s: not https on a documented host nor allowed', (name, value) => {
    const errors = checkSettings(manifest, { [name]: value }, none);
    expect(errors.map((e) => e.field)).toEqual([`settings.${name}`]);
  });

  it('accepts https on a documented host (wildcards are subdomains) and any scheme on an allowed host', () => {
    expect(
      checkSettings(manifest, { base_url: 'https://api.demo.example', token_url: 'https://auth.demo.example/t' }, none),
    ).toEqual([]);
    expect(checkSettings(manifest, { base_url: 'https://eu1.tenant.demo.example' }, none)).toEqual([]);
    expect(checkSettings(manifest, { base_url: 'http://127.0.0.1:4010' }, loopback)).toEqual([]);
    expect(
      checkSettings(manifest, { base_url: 'http://127.0.0.1:4010' }, new HostPolicy(['127.0.0.1:4011'])),
    ).toHaveLength(1);
  });

  it('asks for the stored secrets again when a URL setting moves the provider to another origin', () => {
    const stored = { api_key: 'stored-key', region: 'eu' };
    expect(checkOriginMove(manifest, {}, { base_url: 'https://eu1.tenant.demo.example' }, {}, stored)).toEqual([
      { field: 'credentials.api_key', message: expect.stringMatching(/given again.*settings\.base_url/) },
    ]);
    expect(
      checkOriginMove(manifest, {}, { base_url: 'https://eu1.tenant.demo.example' }, { api_key: 'new' }, stored),
    ).toEqual([]);
    expect(
      checkOriginMove(
        manifest,
        { base_url: 'https://api.demo.example/v1' },
        { base_url: 'https://api.demo.example/v2' },
        {},
        stored,
      ),
    ).toEqual([]);
    expect(checkOriginMove(manifest, {}, { token_url: 'https://auth.demo.example/other' }, {}, stored)).toEqual([]);
    expect(checkOriginMove(manifest, {}, { token_url: 'http://127.0.0.1:9/token' }, {}, stored)).toHaveLength(1);
    expect(checkOriginMove(manifest, {}, { base_url: 'http://127.0.0.1:9' }, {}, {})).toEqual([]);
  });

  it("treats a credential that picks the host (Voiso's cluster) as an origin move", () => {
    const voiso: ProviderManifest = {
      ...manifest,
      credential_fields: [
        { name: 'cluster', label: 'Cluster', secret: false, required: true, origin: true },
        manifest.credential_fields[0],
      ],
    };
    const stored = { cluster: 'cc-ams03', api_key: 'stored-key' };
    expect(checkOriginMove(voiso, {}, {}, { cluster: 'cc-attacker' }, stored).map((e) => e.field)).toEqual([
      'credentials.api_key',
    ]);
    expect(checkOriginMove(voiso, {}, {}, { cluster: 'cc-attacker', api_key: 'k' }, stored)).toEqual([]);
    expect(checkOriginMove(voiso, {}, {}, { cluster: 'cc-ams03' }, stored)).toEqual([]);
  });

  it("refuses a connector that lacks its category's port", () => {
    const bare = { manifest, test: () => Promise.resolve() } as Connector;
    expect(portErrors(bare).map((e) => e.field)).toEqual(['provider']);
    expect(portErrors({ ...bare, email: {} } as unknown as Connector)).toEqual([]);
  });

  it('masks secrets to at most their last four characters', () => {
    expect(maskSecret('SG.abcdefghijkl1234')).toBe('****1234');
    expect(maskSecret('short-secret')).toBe('****cret');
    expect(maskSecret('tiny')).toBe('****');
  });
});
