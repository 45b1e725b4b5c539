import type { ProviderManifest } from '@app/connectors';
import { checkCredentials, checkSettings, maskSecret } from './credentials.policy';

const manifest: ProviderManifest = {
  key: 'demo', name: 'Demo', category: 'email',
  credential_fields: [
    { name: 'api_key', label: 'API key', secret: true, required: true },
    { name: 'region', label: 'Region', secret: false, required: false },
  ],
  settings: [{ name: 'sender', label: 'Sender' }],
};

describe('credentials policy', () => {
  it('accepts known string fields and reports nothing', () => {
    expect(checkCredentials(manifest, { api_key: 'k' }, new Set())).toEqual([]);
  });

  it('names unknown, non-string, empty and oversized fields', () => {
    const errors = checkCredentials(manifest, { nope: 'x', api_key: 5, region: '' }, null);
    expect(errors.map((e) => e.field).sort()).toEqual(['credentials.api_key', 'credentials.nope', 'credentials.region']);
    expect(checkCredentials(manifest, { api_key: 'x'.repeat(8193) }, null)[0].message).toMatch(/8192/);
  });

  it('requires required fields only when neither given nor stored', () => {
    expect(checkCredentials(manifest, {}, new Set())).toEqual([{ field: 'credentials.api_key', message: 'is required' }]);
    expect(checkCredentials(manifest, {}, new Set(['api_key']))).toEqual([]);
  });

  it('accepts declared settings and base_url, refusing others and non-http URLs', () => {
    expect(checkSettings(manifest, { sender: 'a', base_url: 'http://127.0.0.1:9' })).toEqual([]);
    expect(checkSettings(manifest, { colour: 'red', base_url: 'javascript:alert(1)', sender: { a: 1 } }).map((e) => e.field).sort())
      .toEqual(['settings.base_url', 'settings.colour', 'settings.sender']);
  });

  it('masks secrets to at most their last four characters', () => {
    expect(maskSecret('SG.abcdefghijkl1234')).toBe('****1234');
    expect(maskSecret('short-secret')).toBe('****cret');
    expect(maskSecret('tiny')).toBe('****');
  });
});
