import type { ChildProcess } from 'node:child_process';

import { Pool } from 'undici';

import { createTestInfra, TEST_API_KEY } from '@app/testing';

import { alternate, report, requestLoop, type Comparison } from './lib/measure';
import { GATEWAY_BENCH_LIMITS, startPinned, stopAll } from './lib/processes';
import { reportVolume, seedIfAsked } from './lib/volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const SERVER_CPU = '0';
const SG_KEY = 'SG.bench-key-0123456789abcdef';

/** The v3 request comms sends for one email: what the baseline posts straight to the fake. */
const v3 = JSON.stringify({
  personalizations: [{ to: [{ email: 'lead@example.com' }] }],
  from: { email: 'support@broker.example' },
  subject: 'Welcome to trading',
  content: [{ type: 'text/html', value: '<p>Hello John</p>' }],
  custom_args: { message_id: '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11' },
});
const send = JSON.stringify({
  to: 'lead@example.com',
  subject: 'Welcome to trading',
  body_html: '<p>Hello John</p>',
  from_email: 'support@broker.example',
  customer_id: '9f1c4c1e-8f3e-4a55-9d2a-0d6c1f0e1a11',
  event_type: 'welcome',
});

/** Keeps `CONCURRENCY` POSTs in flight through one undici pool; fails on any non-2xx answer. */
function poster(origin: string, path: string, headers: Record<string, string>, body: string, expect: number) {
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const once = async () => {
    const res = await pool.request({ method: 'POST', path, headers, body });
    await res.body.dump();
    if (res.statusCode !== expect) throw new Error(`${origin}${path} answered ${res.statusCode}`);
  };
  return { run: async () => (await requestLoop(once, CONCURRENCY, SECONDS)).rps, close: () => pool.close() };
}

export async function commsBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const children: ChildProcess[] = [];
  try {
    const env = { ...infra.env, LOG_LEVEL: 'warn' };
    const fake = await startPinned(
      'dist/bench/servers/sendgrid-fake.js',
      { SENDGRID_API_KEY: SG_KEY },
      SERVER_CPU,
      /^READY /,
    );
    children.push(fake.child);
    const fakeUrl = fake.line.replace('READY ', '').trim();
    children.push(
      (
        await startPinned(
          'dist/apps/catalog/src/main.js',
          { ...env, LOG_LEVEL: 'info' },
          SERVER_CPU,
          /catalog service started/,
        )
      ).child,
    );
    children.push(
      (
        await startPinned(
          'dist/apps/comms/src/main.js',
          { ...env, LOG_LEVEL: 'info' },
          SERVER_CPU,
          /comms service started/,
        )
      ).child,
    );
    const gw = await startPinned(
      'dist/apps/gateway/src/main.js',
      { ...env, ...GATEWAY_BENCH_LIMITS },
      SERVER_CPU,
      /gateway listening on/,
    );
    children.push(gw.child);
    const gatewayUrl = /on (http:\/\/\S+)/.exec(gw.line)![1];
    const auth = { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' };
    const activated = await fetch(`${gatewayUrl}/api/platform/integrations/providers/sendgrid/activate`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ credentials: { api_key: SG_KEY }, settings: { base_url: fakeUrl } }),
    });
    if (activated.status !== 200) throw new Error(`activating sendgrid answered ${activated.status}`);
    const volume = await seedIfAsked(infra.databaseUrl);

    const direct = poster(
      fakeUrl,
      '/v3/mail/send',
      { authorization: `Bearer ${SG_KEY}`, 'content-type': 'application/json' },
      v3,
      202,
    );
    const viaGateway = poster(gatewayUrl, '/api/platform/integrations/email/send', auth, send, 200);
    try {
      await viaGateway.run(); // warm-up: config cache, connections, JIT
      const r = await alternate(ROUNDS, direct.run, viaGateway.run);
      const c: Comparison = {
        name: `email sends through the gateway (comms -> SendGrid fake) / undici straight to the fake, ${CONCURRENCY} in flight`,
        metric: 'sends/s',
        baseline: r.baseline,
        subject: r.subject,
        ratio: r.subject / r.baseline,
        aim: '>= 0.5',
        rounds: ROUNDS,
      };
      report(c);
      await reportVolume(volume);
      return [c];
    } finally {
      await direct.close();
      await viaGateway.close();
    }
  } finally {
    await stopAll(children);
    await infra.cleanup();
  }
}

export const suite = { name: 'comms', run: commsBench };
