import { SsrfGuard } from '@app/connectors';

import { WebhookSender } from '../src/delivery/webhook-sender';
import { AffiliateReceiver } from './support/receiver';

describe('WebhookSender over real sockets (undici, loopback receiver)', () => {
  let rx: AffiliateReceiver;
  let trap: AffiliateReceiver;
  let sender: WebhookSender;
  const body = '{"event":"lead.ftd","batch_at":"2026-03-10T12:00:00Z","leads":[]}';

  beforeAll(async () => {
    rx = await new AffiliateReceiver(['k']).start();
    trap = await new AffiliateReceiver(['k']).start();
  });
  afterEach(async () => {
    await sender?.close();
  });
  afterAll(async () => {
    await rx.stop();
    await trap.stop();
  });

  it('refuses a name whose DNS answer is loopback at connect time, without a packet to it', async () => {
    const guard = new SsrfGuard({ allowedHosts: [], allowHttp: false }, () =>
      Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
    );
    sender = new WebhookSender(guard, 2000);
    const r = await sender.send(`https://rebind.example:${trap.hostPort.split(':')[1]}/hook`, body, {});
    expect(r).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/SSRF guard.*loopback/) });
    expect(trap.connections).toBe(0);
  });

  it('counts a redirect as a failure and does not follow it', async () => {
    sender = new WebhookSender(SsrfGuard.fromConfig(rx.hostPort, true), 2000);
    rx.answers.push({ status: 302, headers: { location: trap.url } });
    const r = await sender.send(rx.url, body, {});
    expect(r).toMatchObject({ ok: false, statusCode: 302, error: 'redirect (302) refused' });
    expect(trap.connections).toBe(0);
  });

  it('gives up after the timeout, and keeps at most 1 KiB of an answer', async () => {
    sender = new WebhookSender(SsrfGuard.fromConfig(rx.hostPort, true), 300);
    rx.answers.push({ status: 200, delayMs: 2000 });
    expect(await sender.send(rx.url, body, {})).toMatchObject({ ok: false, statusCode: null, error: 'timeout' });
    rx.answers.push({ status: 503, headers: { 'retry-after': '7' }, body: 'é'.repeat(3000) });
    const r = await sender.send(rx.url, body, {});
    expect(r).toMatchObject({ ok: false, statusCode: 503, retryAfterMs: 7000, error: 'HTTP 503' });
    expect(Buffer.byteLength(r.snippet!, 'utf8')).toBeLessThanOrEqual(1024 + 2);
  });
});
