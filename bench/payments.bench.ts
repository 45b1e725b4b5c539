import type { ChildProcess } from 'node:child_process';

import { connect } from '@nats-io/transport-node';

import { prefixed } from '@app/messaging';
import { createTestInfra, TEST_API_KEY } from '@app/testing';

import { http, median, natsRequester, report, requestLoop, type Comparison } from './lib/measure';
import { GATEWAY_BENCH_LIMITS, startPinned, stopAll } from './lib/processes';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 10;
const SERVER_CPU = '0';
/** The provider is outside our servers: it shares the load generator's core, not theirs. */
const PROVIDER_CPU = '1';
const BP = {
  BP_USERNAME: 'bench-user',
  BP_PASSWORD: 'bench-password',
  BP_API_KEY: 'bench-api-key',
  BP_CASHIER_KEY: 'bench-cashier-key',
};

/**
 * Payments through the gateway against the harmonic bound of bare Fastify and raw NATS request-reply
 * (as the foundation bench): (1) resolve for a country whose gateway (the BridgerPay fake, no delay)
 * opens a cashier session, (2) the routing lookup alone, served from memory.
 */
export async function paymentsBench(): Promise<Comparison[]> {
  const infra = await createTestInfra();
  const children: ChildProcess[] = [];
  const results: Comparison[] = [];
  const nc = await connect({ servers: infra.natsUrl });
  try {
    const env = { ...infra.env, LOG_LEVEL: 'warn' };
    const hello = await startPinned('dist/bench/servers/fastify-hello.js', {}, SERVER_CPU, /^READY /);
    children.push(hello.child);
    const helloUrl = hello.line.replace('READY ', '').trim();
    const echoSubject = prefixed(infra.prefix, 'bench.echo');
    children.push(
      (await startPinned('dist/bench/servers/nats-echo.js', { ...env, SUBJECT: echoSubject }, SERVER_CPU, /^READY/))
        .child,
    );
    const fake = await startPinned('dist/bench/servers/bridgerpay-fake.js', BP, PROVIDER_CPU, /^READY /);
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
          'dist/apps/payments/src/main.js',
          { ...env, LOG_LEVEL: 'info' },
          SERVER_CPU,
          /payments service started/,
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
    const call = async (path: string, method: string, body: unknown) => {
      const res = await fetch(`${gatewayUrl}${path}`, { method, headers: auth, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    };
    await call('/api/platform/integrations/providers/bridgerpay/activate', 'POST', {
      credentials: {
        username: BP.BP_USERNAME,
        password: BP.BP_PASSWORD,
        api_key: BP.BP_API_KEY,
        cashier_key: BP.BP_CASHIER_KEY,
      },
      settings: { base_url: fakeUrl },
    });
    await call('/api/platform/payments/routing/BR', 'PUT', {
      deposit_gateway: 'bridgerpay',
      withdrawal_gateway: 'bridgerpay',
    });

    const raw = natsRequester(nc, echoSubject, JSON.stringify({ message: 'hello' }));
    const get = (path: string) => async () =>
      (await http({ url: `${gatewayUrl}${path}`, headers: auth, connections: CONNECTIONS, seconds: SECONDS })).rps;
    const resolve = get(
      '/payments/gateway?country=BR&direction=deposit&amount=10.00&currency=EUR&customer_id=bench-customer',
    );
    const lookup = get('/api/platform/payments/routing/BR');
    const echo = async () =>
      (
        await http({
          url: `${gatewayUrl}/api/platform/diagnostics/echo`,
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ service: 'payments', message: 'hello' }),
          connections: CONNECTIONS,
          seconds: SECONDS,
        })
      ).rps;
    await resolve(); // warm-up: login token, provider config, routing table
    const f: number[] = [];
    const n: number[] = [];
    const r: number[] = [];
    const l: number[] = [];
    const e: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      f.push((await http({ url: helloUrl, connections: CONNECTIONS, seconds: SECONDS })).rps);
      n.push((await requestLoop(raw, CONNECTIONS, SECONDS)).rps);
      r.push(await resolve());
      l.push(await lookup());
      e.push(await echo());
    }
    const bound = 1 / (1 / median(f) + 1 / median(n));
    const label = `fastify ${median(f).toFixed(0)}/s, raw NATS ${median(n).toFixed(0)}/s`;
    results.push({
      name: `payments resolve with a cashier session at the BridgerPay fake (${label})`,
      metric: 'req/s vs harmonic bound',
      baseline: bound,
      subject: median(r),
      ratio: median(r) / bound,
      aim: '>= 0.5',
      rounds: ROUNDS,
    });
    report(results.at(-1)!);
    results.push({
      name: `payments routing lookup from memory, GET /api/platform/payments/routing/:country (${label})`,
      metric: 'req/s vs harmonic bound',
      baseline: bound,
      subject: median(l),
      ratio: median(l) / bound,
      aim: '>= 0.70',
      rounds: ROUNDS,
    });
    report(results.at(-1)!);
    // reference on the same noisy machine: what the bare transport path (gateway -> payments echo) gets
    results.push({
      name: 'payments routing lookup / gateway -> payments echo (the transport alone)',
      metric: 'req/s',
      baseline: median(e),
      subject: median(l),
      ratio: median(l) / median(e),
      aim: '~1 (reference)',
      rounds: ROUNDS,
    });
    report(results.at(-1)!);
  } finally {
    await stopAll(children);
    await nc.close();
    await infra.cleanup();
  }
  return results;
}

export const suite = { name: 'payments', run: paymentsBench };
