import { startPlatform, type Platform } from '../src/platform';

describe('smoke', () => {
  let p: Platform;
  beforeAll(async () => { p = await startPlatform(); });
  afterAll(async () => { await p?.stop(); });
  it('echo', async () => {
    const r = await p.api('/api/platform/diagnostics/echo', { method: 'POST', json: { service: 'catalog', message: 'hi' } });
    console.log(r.status, await r.text());
    const h = await p.api('/health');
    console.log(h.status, await h.text());
    const bad = await p.api('/api/platform/diagnostics/echo', { method: 'POST', json: { service: 'nope', extra: 1 } });
    console.log(bad.status, bad.headers.get('content-type'), await bad.text());
    const nf = await p.api('/api/platform/nothing');
    console.log(nf.status, nf.headers.get('content-type'), await nf.text());
    const mal = await p.api('/api/platform/diagnostics/noop', { method: 'POST', body: '{bad', headers: {'content-type': 'application/json'} });
    console.log(mal.status, mal.headers.get('content-type'), await mal.text());
    const big = await p.api('/api/platform/diagnostics/noop', { method: 'POST', json: { message: 'x'.repeat(2_000_000) } });
    console.log(big.status, big.headers.get('content-type'), await big.text());
    const d = await p.api('/docs-json');
    console.log(d.status, (await d.text()).slice(0, 200));
  });
});
