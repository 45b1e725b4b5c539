import { addressClass, SsrfGuard } from './ssrf-guard';

describe(SsrfGuard.name, () => {
  const guard = (resolve: Record<string, string[]> = {}, allowed: string[] = [], allowHttp = false) =>
    new SsrfGuard({ allowedHosts: allowed, allowHttp }, (host) =>
      resolve[host]
        ? Promise.resolve(resolve[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
        : Promise.reject(new Error('ENOTFOUND')),
    );

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.0.1', 'a private address'],
    ['fd12::1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['100.64.0.1', 'a CGNAT address'],
    ['100.127.255.254', 'a CGNAT address'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped address'],
    ['::ffff:8.8.8.8', 'an IPv4-mapped address'],
    ['0.0.0.0', 'an unspecified or reserved address'],
    ['::', 'an unspecified or reserved address'],
    ['224.0.0.1', 'an unspecified or reserved address'],
    ['64:ff9b::7f00:1', 'an unspecified or reserved address'],
    ['2002:7f00:1::', 'an unspecified or reserved address'],
  ])('classes %s as %s', (ip, cls) => {
    expect(addressClass(ip)).toBe(cls);
  });

  // IPv4-translated (RFC 6145), NAT64 local use, segment routing SIDs, the 2024 documentation block, ORCHIDv2,
  // benchmarking, AMT, AS112, drone remote ID: special-purpose ranges a hand-kept table missed
  it.each([
    '::ffff:0:7f00:1',
    '::ffff:0:a00:1',
    '64:ff9b:1::a00:1',
    '5f00::1',
    '3fff::1',
    '2001:20::1',
    '2001:2::1',
    '2001:3::1',
    '2620:4f:8000::1',
    '2001:30::1',
    '192.0.0.170',
    '255.255.255.255',
  ])('refuses the special-purpose address %s', (ip) => {
    expect(addressClass(ip)).not.toBeNull();
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.128.0.1', '172.32.0.1', '2606:4700::1111'])(
    'lets the public address %s through',
    (ip) => {
      expect(addressClass(ip)).toBeNull();
    },
  );

  it.each([
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0177.0.0.1/',
    'https://127.1/',
    'https://0x7f.1/',
    'https://127.0.0.1./',
  ])('refuses the numeric-encoded host of %s', (url) => {
    expect(() => guard().checkSyntax(url)).toThrow(/numeric-encoded|loopback/);
  });

  it('refuses http, credentials, and names resolving to private addresses; accepts https to public ones', async () => {
    const g = guard({ 'partner.example': ['93.184.216.34'], 'inside.example': ['93.184.216.34', '10.0.0.5'] });
    await expect(g.check('http://partner.example/hook')).rejects.toThrow('must use https');
    await expect(g.check('https://u:p@partner.example/hook')).rejects.toThrow('credentials');
    await expect(g.check('https://inside.example/hook')).rejects.toThrow(/resolves to a private address/);
    await expect(g.check('https://nowhere.example/hook')).rejects.toThrow(/does not resolve/);
    await expect(g.check('https://partner.example/hook')).resolves.toMatchObject({ exempt: false });
  });

  it('exempts exactly the listed host:port, and allows http for it only when told to', async () => {
    const g = guard({}, ['127.0.0.1:8099'], true);
    await expect(g.check('http://127.0.0.1:8099/hook')).resolves.toMatchObject({ exempt: true });
    await expect(g.check('http://127.0.0.1:8100/hook')).rejects.toThrow('must use https');
    await expect(g.check('https://127.0.0.1:8100/hook')).rejects.toThrow(/loopback/);
    await expect(guard({}, ['127.0.0.1:8099'], false).check('http://127.0.0.1:8099/hook')).rejects.toThrow(
      'must use https',
    );
  });

  it('refuses at connect time a name whose DNS answer turned private after registration (rebinding)', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const g = new SsrfGuard({ allowedHosts: [], allowHttp: false }, () =>
      Promise.resolve(answers.shift()!.map((address) => ({ address, family: 4 }))),
    );
    await expect(g.check('https://rebind.example/hook')).resolves.toBeDefined();
    const err = await new Promise<Error | null>((resolve) =>
      g.lookup('rebind.example', { all: true }, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(/SSRF guard: rebind.example resolves to a loopback address/);
  });
});
