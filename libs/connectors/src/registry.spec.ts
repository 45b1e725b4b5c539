import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConnectorRegistry } from './registry';

const connectorSource = (key: string) =>
  `exports.connector = { manifest: { key: '${key}', name: '${key}', category: 'sms', credential_fields: [], settings: [], hosts: [] } };`;

describe('ConnectorRegistry.fromDirectories', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'connectors-'));
    writeFileSync(join(dir, 'solo.connector.js'), connectorSource('solo'));
    mkdirSync(join(dir, 'duo'));
    writeFileSync(join(dir, 'duo', 'duo_sms.connector.js'), connectorSource('duo_sms'));
    writeFileSync(join(dir, 'duo', 'duo_voice.connector.js'), connectorSource('duo_voice'));
    // test code and helpers beside the connectors are never loaded
    for (const f of ['duo.fake.js', 'duo.shared.js', 'duo_sms.connector.spec.js'])
      writeFileSync(join(dir, 'duo', f), `throw new Error('${f} was loaded');`);
    writeFileSync(join(dir, 'solo.fake.js'), `throw new Error('solo.fake.js was loaded');`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads providers/<key>.connector and providers/<folder>/<key>.connector files, nothing else', () => {
    const registry = ConnectorRegistry.fromDirectories([dir]);
    expect(registry.list().map((c) => c.manifest.key)).toEqual(['duo_sms', 'duo_voice', 'solo']);
  });

  it('finds the platform connectors in their folders by default', () => {
    const registry = ConnectorRegistry.fromDirectories();
    expect(registry.get('twilio_sms')?.manifest.category).toBe('sms');
    expect(registry.get('twilio_voice')?.manifest.category).toBe('voip');
    expect(registry.list('kyc').map((c) => c.manifest.key)).toContain('sumsub');
    expect(registry.sourceOf('twilio_sms')).toMatch(/providers[/\\]twilio[/\\]twilio_sms\.connector\.(ts|js)$/);
  });
});
