import { connect, type NatsConnection } from '@nats-io/transport-node';

import type { InboundWebhook } from '@app/contracts';

import { startPlatform, type Platform } from '../src/platform';

/**
 * The gateway's webhook plumbing alone: a raw NATS responder stands in for the owning service (none is
 * started), so what is checked is exactly what the gateway forwards and how it answers.
 */
describe('inbound webhook forwarding', () => {
  let p: Platform;
  let nc: NatsConnection;
  const received: InboundWebhook[] = [];

  beforeAll(async () => {
    p = await startPlatform({ services: [], env: { PUBLIC_BASE_URL: 'https://integrations.broker.example' } });
    nc = await connect({ servers: p.infra.natsUrl });
    nc.subscribe(`${p.infra.prefix}.comms.webhooks.receive`, {
      callback: (_e, m) => {
        const inbound = m.json<InboundWebhook>();
        received.push(inbound);
        const reply =
          inbound.provider === 'refuse'
            ? { ok: false, error: { code: 'UNAUTHORIZED', message: 'bad signature' } }
            : {
                ok: true,
                data: { status: 200, content_type: 'text/plain', body: 'OK', headers: { 'x-provider-ack': '1' } },
              };
        m.respond(JSON.stringify(reply));
      },
    });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await p?.stop();
  });

  it("forwards the exact body bytes, headers and public URL, and answers with the service's reply", async () => {
    const form = 'MessageSid=SM123&MessageStatus=delivered&To=%2B15551234567&Body=caf%C3%A9+%26+more';
    const res = await fetch(`${p.gateway.url}/webhooks/comms/twilio_sms?attempt=2`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'abc=' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('OK');
    expect(res.headers.get('x-provider-ack')).toBe('1');
    const got = received.at(-1)!;
    expect(got).toMatchObject({
      provider: 'twilio_sms',
      method: 'POST',
      url: 'https://integrations.broker.example/webhooks/comms/twilio_sms?attempt=2',
    });
    expect(Buffer.from(got.body_base64, 'base64').toString('utf8')).toBe(form);
    expect(got.headers['x-twilio-signature']).toBe('abc=');
  });

  it('keeps JSON bytes as sent (spacing and key order), even when not valid JSON', async () => {
    for (const body of ['{ "b":1,  "a" : [2,1] }', '{"broken": ']) {
      const res = await fetch(`${p.gateway.url}/webhooks/comms/sendgrid`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(received.at(-1)!.body_base64, 'base64').toString('utf8')).toBe(body);
    }
  });

  it('forwards GET handshakes with their query (Zadarma zd_echo)', async () => {
    const res = await fetch(`${p.gateway.url}/webhooks/comms/zadarma?zd_echo=xyz`);
    expect(res.status).toBe(200);
    expect(received.at(-1)).toMatchObject({
      method: 'GET',
      url: 'https://integrations.broker.example/webhooks/comms/zadarma?zd_echo=xyz',
    });
  });

  it('maps a refusal from the service to a problem+json 401', async () => {
    const res = await fetch(`${p.gateway.url}/webhooks/comms/refuse`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('answers 404 for an unknown webhook service, 503 when the owner is down, 413 past the limit', async () => {
    expect((await fetch(`${p.gateway.url}/webhooks/billing/stripe`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(
      (
        await fetch(`${p.gateway.url}/webhooks/payments/praxis`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(503);
    const big = await fetch(`${p.gateway.url}/webhooks/comms/sendgrid`, {
      method: 'POST',
      body: 'x'.repeat(800 * 1024),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('does not need a platform key for provider webhooks, but does for the internal KYC format', async () => {
    const internal = await fetch(`${p.gateway.url}/webhooks/kyc`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(internal.status).toBe(401);
  });
});
