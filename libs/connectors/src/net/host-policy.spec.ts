import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { request } from 'undici';

import { connectorHostPolicy, providerFetch } from '../http';
import { HostPolicy, isDocumented } from './host-policy';

describe(HostPolicy.name, () => {
  let server: Server;
  let port: number;
  let hits = 0;
  // a name the provider documents, re-pointed (DNS rebinding) at loopback after validation
  const rebinding = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    connectorHostPolicy(HostPolicy.fromEnv());
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses at connect time a documented name that now resolves to an internal address', async () => {
    const agent = new HostPolicy([], rebinding).agent();
    await expect(request(`http://api.sendgrid.com:${port}/`, { dispatcher: agent })).rejects.toThrow(/public address/);
    expect(hits).toBe(0);
    await agent.close();
  });

  it('connects to a host allowed by name whatever it resolves to', async () => {
    const agent = new HostPolicy(['api.sendgrid.com'], rebinding).agent();
    const res = await request(`http://api.sendgrid.com:${port}/`, { dispatcher: agent });
    expect(await res.body.text()).toBe('ok');
    await agent.close();
  });

  it('sends nothing to a host no provider documents, nor to a literal internal address, and says the same either way', async () => {
    connectorHostPolicy(new HostPolicy([]));
    const before = hits;
    await expect(providerFetch('https://collector.attacker.example/v3/scopes')).rejects.toMatchObject({
      code: 'invalid_config',
    });
    await expect(providerFetch(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'invalid_config' });
    await expect(providerFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'invalid_config' });
    expect(hits).toBe(before);
  });

  it('matches documented hosts exactly, and wildcards as subdomains only', () => {
    expect(isDocumented('cc-ams03.voiso.com', ['*.voiso.com'])).toBe(true);
    expect(isDocumented('voiso.com', ['*.voiso.com'])).toBe(false);
    expect(isDocumented('evilvoiso.com', ['*.voiso.com'])).toBe(false);
    expect(isDocumented('API.SendGrid.com.', ['api.sendgrid.com'])).toBe(true);
    expect(isDocumented('api.sendgrid.com.evil.example', ['api.sendgrid.com'])).toBe(false);
  });

  it('reads bare hosts as any port and host:port as that port only', () => {
    const p = new HostPolicy(['127.0.0.1', 'localhost:8080', '[::1]:9']);
    expect(p.isAllowed(new URL('http://127.0.0.1:1234'))).toBe(true);
    expect(p.isAllowed(new URL('http://localhost:8080'))).toBe(true);
    expect(p.isAllowed(new URL('http://localhost:8081'))).toBe(false);
    expect(p.isAllowed(new URL('http://[::1]:9'))).toBe(true);
    expect(() => new HostPolicy(['a:b:c'])).toThrow(/CONNECTOR_ALLOWED_HOSTS/);
  });
});
