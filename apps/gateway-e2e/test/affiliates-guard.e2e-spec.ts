import { Client } from 'pg';

import type { AffiliateView, AttemptView } from '@app/contracts';
import { eventually } from '@app/testing';

import { AffiliateReceiver } from '../../affiliates/test/support/receiver';
import { startPlatform, type Platform } from '../src/platform';

const SECRET = 'guard-secret-0123456789';

describe('affiliates: the SSRF guard, and disabling an endpoint that only fails', () => {
  let p: Platform;
  let rx: AffiliateReceiver;
  /** A listener on loopback that is NOT an allowed host: it must never see a connection. */
  let trap: AffiliateReceiver;
  const api = (path: string, method: string, json?: unknown) =>
    p.api(`/api/platform/affiliates/${path}`, { method, json });
  const attempts = async (id: string) =>
    ((await (await api(`${id}/deliveries`, 'GET')).json()) as { deliveries: AttemptView[] }).deliveries;

  beforeAll(async () => {
    rx = await new AffiliateReceiver([SECRET]).start();
    trap = await new AffiliateReceiver([SECRET]).start();
    p = await startPlatform({
      services: ['affiliates'],
      env: {
        AFFILIATE_BATCH_INTERVAL_MS: '300',
        AFFILIATE_ALLOWED_HOSTS: rx.hostPort,
        AFFILIATE_ALLOW_HTTP: 'true',
        AFFILIATE_RETRY_SCHEDULE_MS: Array(30).fill('200').join(','),
        AFFILIATE_DISABLE_AFTER_MS: '2500',
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await rx?.stop();
    await trap?.stop();
  });

  it('refuses every private, loopback, link-local, CGNAT, IPv4-mapped and numeric-encoded destination at registration, sending nothing', async () => {
    const port = trap.hostPort.split(':')[1];
    const refused = [
      `https://127.0.0.1:${port}/hook`,
      `http://127.0.0.1:${port}/hook`,
      `https://localhost:${port}/hook`,
      'https://10.0.0.1/hook',
      'https://172.16.5.4/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hook',
      `https://[::ffff:127.0.0.1]:${port}/hook`,
      `https://[::ffff:7f00:1]:${port}/`,
      `https://[::1]:${port}/`,
      'https://[fe80::1]/',
      'https://[fd00::1]/',
      `https://0.0.0.0:${port}/`,
      `https://2130706433:${port}/`,
      `https://0x7f000001:${port}/`,
      `https://0177.0.0.1:${port}/`,
      `https://127.1:${port}/`,
      `https://0x7f.0.0.1:${port}/`,
      'ftp://example.com/hook',
      'https://user:pw@example.com/hook',
      'not a url',
    ];
    for (const [i, url] of refused.entries()) {
      const res = await api(`ssrf-${i}`, 'PUT', { name: 'x', webhook_url: url, secret: SECRET });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      const body = (await res.json()) as { errors: { field: string; message: string }[] };
      expect(body.errors).toEqual([{ field: 'webhook_url', message: expect.any(String) }]);
    }
    expect(trap.connections).toBe(0);
    expect((await api('ssrf-0', 'GET')).status).toBe(404);
  });

  it('checks again at delivery: a stored URL now pointing inside is refused before connecting, and logged', async () => {
    expect((await api('moved', 'PUT', { name: 'moved', webhook_url: rx.url, secret: SECRET })).status).toBe(200);
    expect(
      (
        await api('leads', 'POST', {
          affiliate_id: 'moved',
          affiliate_lead_id: 'm-1',
          customer_id: 'moved-1',
          country: 'DE',
        })
      ).status,
    ).toBe(201);
    // as if the URL had been changed behind the API's back (or its DNS answer had)
    const db = new Client({ connectionString: p.infra.databaseUrl });
    await db.connect();
    await db.query(`UPDATE affiliates.affiliates SET webhook_url = $1 WHERE id = 'moved'`, [
      `https://127.0.0.1:${trap.hostPort.split(':')[1]}/hook`,
    ]);
    await db.end();
    await api('events', 'POST', { customer_id: 'moved-1', event: 'lead.registered' });
    const [a] = await eventually('an attempt', async () => {
      const l = await attempts('moved');
      return l.length ? l : undefined;
    });
    expect(a.error).toMatch(/SSRF guard.*loopback/);
    expect(a.status_code).toBeNull();
    // its retry was refused the same way: still no connection
    await eventually('the retry', async () => (await attempts('moved')).length >= 2);
    expect((await attempts('moved')).every((x) => /SSRF guard/.test(x.error ?? ''))).toBe(true);
    expect(trap.connections).toBe(0);
  });

  it('disables an endpoint that answered only failures for the configured time, with evt.affiliates.endpoint.disabled', async () => {
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: p.infra.natsUrl });
    const events: { affiliate_id: string; reason: string }[] = [];
    nc.subscribe(`${p.infra.prefix}.evt.affiliates.endpoint.disabled`, {
      callback: (_e, m) => {
        events.push(m.json());
      },
    });
    try {
      expect((await api('down', 'PUT', { name: 'down', webhook_url: rx.url, secret: SECRET })).status).toBe(200);
      expect(
        (
          await api('leads', 'POST', {
            affiliate_id: 'down',
            affiliate_lead_id: 'd-1',
            customer_id: 'down-1',
            country: 'DE',
          })
        ).status,
      ).toBe(201);
      rx.fallback = { status: 503, body: 'maintenance' };
      await api('events', 'POST', { customer_id: 'down-1', event: 'lead.registered' });
      const view = await eventually('disabled', async () => {
        const v = (await (await api('down', 'GET')).json()) as AffiliateView;
        return v.is_active ? undefined : v;
      });
      expect(view.disabled_reason).toMatch(/only failures since/);
      const log = await attempts('down');
      expect(log.length).toBeGreaterThan(2);
      expect(log.every((a) => a.status_code === 503)).toBe(true);
      await eventually('the event', () => events.some((e) => e.affiliate_id === 'down'));
    } finally {
      rx.fallback = { status: 200, body: '{"ok":true}' };
      await nc.close();
    }
  });
});
