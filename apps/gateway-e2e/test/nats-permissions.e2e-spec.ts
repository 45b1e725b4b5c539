// The NATS users file (deploy/nats/users.conf) against the code and against a real nats-server: a
// server started from deploy/nats/nats-server.conf on a free loopback port, the five services and the
// gateway booted through their real bootstrap with their own credentials, and bare nats.js clients
// trying what a client on the bus must not do.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import {
  affiliatesSubjects,
  catalogSubjects,
  commsSubjects,
  kycSubjects,
  opsSubjects,
  paymentsSubjects,
  providerHealthSubject,
  SERVICES,
  WEBHOOK_SERVICES,
  type ServiceName,
} from '@app/contracts';
import type { RunningService } from '@app/runtime/service';
import { createTestInfra, eventually, LogCapture, queryRows, TEST_API_KEY, type TestInfra } from '@app/testing';

import type { RunningGateway } from '../../gateway/src/gateway';
import { startDefined, startGateway } from '../src/platform';

const ROOT = resolve(__dirname, '..', '..', '..');
const APPS = ['gateway', ...SERVICES] as const;
type App = (typeof APPS)[number];
type User = App | 'crm';
const USERS: User[] = [...APPS, 'crm'];

// ---- what the code serves and calls ---------------------------------------------------------------

const SUBJECT_OBJECTS: Record<string, Record<string, string>> = {
  catalogSubjects,
  paymentsSubjects,
  kycSubjects,
  commsSubjects,
  affiliatesSubjects,
};
const systemOf = (s: string) => [`${s}.system.health`, `${s}.system.echo`];
/** libs/runtime's dead-letter handlers, in every service; the gateway asks each. */
const opsOf = (s: string) => Object.values(opsSubjects).map((f) => f(s as ServiceName));
/** Every request subject there is: the universe the permission checks run over. */
const ALL_REQUEST_SUBJECTS = [
  ...new Set([
    ...Object.values(SUBJECT_OBJECTS).flatMap((o) => Object.values(o)),
    ...SERVICES.flatMap(systemOf),
    ...SERVICES.flatMap(opsOf),
    ...WEBHOOK_SERVICES.map((s) => `${s}.webhooks.receive`),
  ]),
].sort();

/** Requests whose actor header ends up in an audit record: the gateway's alone. */
const AUDITED = [
  catalogSubjects.activate,
  catalogSubjects.updateCredentials,
  catalogSubjects.deactivate,
  catalogSubjects.setDefault,
  paymentsSubjects.putRoute,
  paymentsSubjects.deleteRoute,
  paymentsSubjects.setDefault,
  affiliatesSubjects.upsertAffiliate,
  affiliatesSubjects.setThreshold,
  affiliatesSubjects.redeliver,
];

function sources(relDir: string): string[] {
  const dir = join(ROOT, relDir);
  return readdirSync(dir).flatMap((entry) => {
    const rel = join(relDir, entry);
    if (statSync(join(ROOT, rel)).isDirectory()) return sources(rel);
    return /\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) ? [rel] : [];
  });
}

/** `xSubjects.key` references of one file, aliases (`affiliatesSubjects as S`) resolved; split by whether the line is a @MessagePattern. */
function subjectRefs(rel: string): { handled: string[]; called: string[] } {
  const text = readFileSync(join(ROOT, rel), 'utf8');
  const names: Record<string, string> = Object.fromEntries(Object.keys(SUBJECT_OBJECTS).map((n) => [n, n]));
  for (const m of text.matchAll(/\b(\w+Subjects)\s+as\s+(\w+)\b/g)) names[m[2]] = m[1];
  const handled: string[] = [];
  const called: string[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/\b(\w+)\.(\w+)\b/g)) {
      const obj = names[m[1]] ? SUBJECT_OBJECTS[names[m[1]]] : undefined;
      const subject = obj?.[m[2]];
      if (!subject) continue;
      (/@MessagePattern\(/.test(line) ? handled : called).push(subject);
    }
  }
  return { handled, called };
}

function codeSubjects(app: App): { handled: Set<string>; called: Set<string> } {
  const files = sources(`apps/${app}/src`);
  const handled = new Set<string>();
  const called = new Set<string>();
  for (const f of files) {
    const refs = subjectRefs(f);
    refs.handled.forEach((s) => handled.add(s));
    refs.called.forEach((s) => called.add(s));
  }
  const text = files.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
  if (app === 'gateway') {
    // health of every service (/health), echo of any (diagnostics), raw webhooks to their services
    if (/systemSubjects\.health\(/.test(text)) SERVICES.forEach((s) => called.add(`${s}.system.health`));
    if (/systemSubjects\.echo\(/.test(text)) SERVICES.forEach((s) => called.add(`${s}.system.echo`));
    if (/webhookSubject\(/.test(text)) WEBHOOK_SERVICES.forEach((s) => called.add(`${s}.webhooks.receive`));
    if (/opsSubjects\.\w+\(/.test(text)) SERVICES.forEach((s) => opsOf(s).forEach((o) => called.add(o)));
  } else {
    systemOf(app).forEach((s) => handled.add(s)); // libs/runtime's system controller, in every service
    opsOf(app).forEach((s) => handled.add(s)); // and its dead-letter controller
    // libs/connectors' ProviderConfigCache requests the catalog for the services that use it
    if (/\bProviderConfigCache\b/.test(text))
      subjectRefs('libs/connectors/src/config-cache.ts').called.forEach((s) => called.add(s));
  }
  return { handled, called };
}

/**
 * Core (non-queue) subscriptions to request subjects: every payments replica hears the routing reload
 * hint (RoutingChanges.subjects()), published by whichever replica changed the table.
 */
const FANOUT: Partial<Record<App, string[]>> = { payments: [paymentsSubjects.routingReloadHint] };

/** The source of one app (no specs), to find who uses libs/connectors' provider guards and health board. */
const appSource = (app: App) =>
  sources(`apps/${app}/src`)
    .map((f) => readFileSync(join(ROOT, f), 'utf8'))
    .join('\n');
/** Core-NATS provider health: published by every app whose registry is guarded, read by the app holding the board. */
const HEALTH = Object.fromEntries(
  APPS.map((a) => {
    const text = appSource(a);
    return [
      a,
      { publishes: /\bConnectorsModule\.forService\(/.test(text), reads: /\bProviderHealthBoard\b/.test(text) },
    ];
  }),
) as Record<App, { publishes: boolean; reads: boolean }>;

const CODE = Object.fromEntries(APPS.map((a) => [a, codeSubjects(a)])) as Record<App, ReturnType<typeof codeSubjects>>;
const expectedPublish = (u: User) => (u === 'crm' ? new Set<string>() : CODE[u].called);
const expectedSubscribe = (u: User) =>
  u === 'crm' || u === 'gateway' ? new Set<string>() : new Set([...CODE[u].handled, ...(FANOUT[u] ?? [])]);

// ---- a nats-server from deploy/nats/nats-server.conf -------------------------------------------------

const PASSWORDS = Object.fromEntries(USERS.map((u) => [u, `pw-${u}-${randomBytes(12).toString('hex')}`])) as Record<
  User,
  string
>;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
  });
}

function startNatsServer(port: number, storeDir: string): Promise<ChildProcess> {
  const env = { ...process.env };
  for (const u of USERS) env[`NATS_PASSWORD_${u.toUpperCase()}`] = PASSWORDS[u];
  const child = spawn(
    'nats-server',
    ['-c', join(ROOT, 'deploy/nats/nats-server.conf'), '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    { env },
  );
  return new Promise((res, rej) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) res(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => rej(new Error(`nats-server exited (${code}) before it was ready:\n${output}`)));
    child.once('error', rej);
  });
}

/** A bare client as `user`, replies under the app's inbox prefix (as libs/messaging connects). */
async function connectAs(url: string, user: User, opts: { inboxPrefix?: string } = {}): Promise<Bare> {
  const nc = await connect({
    servers: url,
    user,
    pass: PASSWORDS[user],
    inboxPrefix: opts.inboxPrefix ?? `_INBOX_${user}`,
    maxReconnectAttempts: 0,
  });
  return new Bare(nc);
}

/** Permission violations the server reported to one connection, collected from its status stream. */
class Bare {
  readonly violations: { operation: string; subject: string }[] = [];
  private readonly watching: Promise<void>;

  constructor(readonly nc: NatsConnection) {
    this.watching = (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'error' && s.error.name === 'PermissionViolationError') {
          const e = s.error as Error & { operation: string; subject: string };
          this.violations.push({ operation: e.operation, subject: e.subject });
        }
      }
    })();
  }

  /** Runs `act`, then a round trip: the server answers a violation before the PONG, in order. */
  async deniedAfter(act: () => void): Promise<{ publish: Set<string>; subscription: Set<string> }> {
    const from = this.violations.length;
    act();
    await this.nc.flush();
    await new Promise((r) => setImmediate(r)); // let the status iterator deliver what arrived
    const seen = this.violations.slice(from);
    return {
      publish: new Set(seen.filter((v) => v.operation === 'publish').map((v) => v.subject)),
      subscription: new Set(seen.filter((v) => v.operation === 'subscription').map((v) => v.subject)),
    };
  }

  async publishDenied(subject: string): Promise<boolean> {
    return (await this.deniedAfter(() => this.nc.publish(subject, '{}'))).publish.has(subject);
  }

  async subscribeDenied(subject: string, queue?: string): Promise<boolean> {
    let sub: ReturnType<NatsConnection['subscribe']> | undefined;
    const denied = await this.deniedAfter(() => {
      sub = this.nc.subscribe(subject, { ...(queue ? { queue } : {}), callback: () => undefined });
    });
    sub?.unsubscribe();
    return denied.subscription.has(subject);
  }

  async close(): Promise<void> {
    await this.nc.close();
    await this.watching;
  }
}

const sorted = (s: Iterable<string>) => [...s].sort();

/** nats.js rejects a request the server refused with the PermissionViolationError, or a RequestError caused by it. */
async function expectRefused(request: Promise<unknown>): Promise<void> {
  const err = await request.then(
    () => null,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(err).not.toBeNull();
  expect([err?.name, err?.cause?.name]).toContain('PermissionViolationError');
}

// ===================================================================================================

describe('NATS users and permissions (deploy/nats/users.conf on a real nats-server)', () => {
  let server: ChildProcess;
  let storeDir: string;
  let url: string;
  const bare: Bare[] = [];
  const as = async (user: User, opts?: { inboxPrefix?: string }) => {
    const b = await connectAs(url, user, opts);
    bare.push(b);
    return b;
  };

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'nats-perm-'));
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    server = await startNatsServer(port, storeDir);
  });

  afterAll(async () => {
    for (const b of bare) await b.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  describe('the subject lists of the code (so the file cannot drift from it)', () => {
    it('finds what each app serves and calls (the source scan works)', () => {
      expect(CODE.catalog.handled).toContain(catalogSubjects.getConfig);
      expect(CODE.gateway.called).toContain(catalogSubjects.activate);
      expect(CODE.gateway.called).toContain('kyc.webhooks.receive');
      expect(CODE.comms.called).toContain(catalogSubjects.resolveConfig);
      expect(CODE.affiliates.handled).toContain(affiliatesSubjects.redeliver);
      for (const s of SERVICES) expect(CODE[s].handled.size).toBeGreaterThanOrEqual(4);
      expect(CODE.gateway.handled.size).toBe(0);
    });

    it('knows the fan-out subscriptions of the code', () => {
      expect(readFileSync(join(ROOT, 'apps/payments/src/routing/routing-changes.ts'), 'utf8')).toMatch(
        /ROUTING_RELOAD_HINT = paymentsSubjects\.routingReloadHint/,
      );
      expect(CODE.payments.called).toContain(paymentsSubjects.routingReloadHint);
    });

    it('has no service calling an audited write, and no gateway asking for decrypted configuration', () => {
      for (const s of SERVICES) expect(AUDITED.filter((a) => CODE[s].called.has(a))).toEqual([]);
      expect(CODE.gateway.called).not.toContain(catalogSubjects.getConfig);
      expect(CODE.gateway.called).not.toContain(catalogSubjects.resolveConfig);
    });

    it.each(USERS)('lets %s publish exactly the requests its code calls', async (user) => {
      const b = await as(user);
      const denied = await b.deniedAfter(() => {
        for (const s of ALL_REQUEST_SUBJECTS) b.nc.publish(s, '{}');
      });
      const allowed = ALL_REQUEST_SUBJECTS.filter((s) => !denied.publish.has(s));
      expect(sorted(allowed)).toEqual(sorted(expectedPublish(user)));
    });

    it.each(USERS)('lets %s serve (in its queue group) exactly the requests its code handles', async (user) => {
      const b = await as(user);
      const subs: ReturnType<NatsConnection['subscribe']>[] = [];
      const denied = await b.deniedAfter(() => {
        for (const s of ALL_REQUEST_SUBJECTS) subs.push(b.nc.subscribe(s, { queue: user, callback: () => undefined }));
      });
      subs.forEach((s) => s.unsubscribe());
      const allowed = ALL_REQUEST_SUBJECTS.filter((s) => !denied.subscription.has(s));
      expect(sorted(allowed)).toEqual(sorted(expectedSubscribe(user)));
    });

    it("lets the apps that call providers publish their breakers' health, and only the catalog read it", async () => {
      expect(APPS.filter((a) => HEALTH[a].publishes).sort()).toEqual(['catalog', 'comms', 'kyc', 'payments']);
      expect(APPS.filter((a) => HEALTH[a].reads)).toEqual(['catalog']);
      for (const user of USERS) {
        const b = await as(user);
        const code = user === 'crm' ? { publishes: false, reads: false } : HEALTH[user];
        expect({
          user,
          publish: !(await b.publishDenied(providerHealthSubject)),
          subscribe: !(await b.subscribeDenied(providerHealthSubject)),
        }).toEqual({ user, publish: code.publishes, subscribe: code.reads });
      }
    });

    it('lets only the gateway publish the audited writes', async () => {
      for (const user of USERS) {
        const b = await as(user);
        const denied = await b.deniedAfter(() => {
          for (const s of AUDITED) b.nc.publish(s, '{}');
        });
        expect({ user, allowed: AUDITED.filter((s) => !denied.publish.has(s)) }).toEqual({
          user,
          allowed: user === 'gateway' ? AUDITED : [],
        });
      }
    });
  });

  describe('with the services and the gateway booted under their own users', () => {
    let infra: TestInfra;
    let gateway: RunningGateway;
    let sendgrid: SendgridFake;
    const services: RunningService[] = [];
    const logs = new LogCapture();
    const SG_KEY = 'SG.perm-test-key-abcdefghijklmn-42';
    const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      fetch(`${gateway.url}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${TEST_API_KEY}`,
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.json === undefined ? init.body : JSON.stringify(init.json),
      });
    const envFor = (app: App): NodeJS.ProcessEnv => ({
      ...infra.env,
      NATS_URL: url,
      NATS_SUBJECT_PREFIX: '',
      NATS_USER: app,
      NATS_PASSWORD: PASSWORDS[app],
    });

    beforeAll(async () => {
      sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
      infra = await createTestInfra();
      for (const name of SERVICES as readonly ServiceName[])
        services.push(await startDefined(name, { env: envFor(name), logDestination: logs }));
      gateway = await startGateway({ env: envFor('gateway'), logDestination: logs });
    });

    afterAll(async () => {
      await gateway?.stop();
      for (const s of services.reverse()) await s.stop();
      await infra?.cleanup();
      await sendgrid?.stop();
    });

    it('refuses anonymous connections and wrong passwords', async () => {
      await expect(connect({ servers: url, maxReconnectAttempts: 0 })).rejects.toThrow(/authorization/i);
      await expect(
        connect({ servers: url, user: 'catalog', pass: 'not-the-password', maxReconnectAttempts: 0 }),
      ).rejects.toThrow(/authorization/i);
      await expect(
        connect({ servers: url, user: 'nobody', pass: PASSWORDS.catalog, maxReconnectAttempts: 0 }),
      ).rejects.toThrow(/authorization/i);
    });

    it('serves the gateway: every service answers its health request, an activation goes through', async () => {
      const health = await api('/health');
      const body = (await health.json()) as { status: string; checks: Record<string, { status: string }> };
      expect(health.status).toBe(200);
      expect(body.status).toBe('ok');
      for (const s of SERVICES) expect({ s, status: body.checks[s]?.status }).toEqual({ s, status: 'ok' });
      const res = await api('/api/platform/integrations/providers/sendgrid/activate', {
        method: 'POST',
        json: { credentials: { api_key: SG_KEY }, settings: { base_url: sendgrid.baseUrl } },
      });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).not.toContain(SG_KEY);
    });

    it('gives decrypted configuration to a service that needs it, never to the gateway', async () => {
      const payments = await as('payments');
      const reply = (
        await payments.nc.request(catalogSubjects.getConfig, JSON.stringify({ key: 'sendgrid' }), { timeout: 15000 })
      ).json<{ ok: boolean; data: unknown }>();
      expect(reply.ok).toBe(true);
      expect(JSON.stringify(reply.data)).toContain(SG_KEY);

      const gw = await as('gateway');
      await expectRefused(
        gw.nc.request(catalogSubjects.getConfig, JSON.stringify({ key: 'sendgrid' }), { timeout: 15000 }),
      );
      await expectRefused(
        gw.nc.request(catalogSubjects.resolveConfig, JSON.stringify({ category: 'email' }), { timeout: 15000 }),
      );
    });

    it('refuses an audited write (with an actor header of its choosing) from a service', async () => {
      const payments = await as('payments');
      expect(await payments.publishDenied(catalogSubjects.activate)).toBe(true);
      await expectRefused(
        payments.nc.request(catalogSubjects.deactivate, JSON.stringify({ key: 'sendgrid' }), { timeout: 15000 }),
      );
      const sg = (await (await api('/api/platform/integrations/providers/sendgrid')).json()) as { status: string };
      expect(sg.status).toBe('active');
    });

    it("keeps every app's replies to itself: no one subscribes to another's inbox, or to everything", async () => {
      const payments = await as('payments');
      for (const subject of ['_INBOX_catalog.>', '_INBOX_gateway.>', '_INBOX.>', '>', 'catalog.providers.config.get']) {
        expect({ subject, denied: await payments.subscribeDenied(subject) }).toEqual({ subject, denied: true });
      }
      expect(await payments.subscribeDenied('_INBOX_payments.>')).toBe(false);
      // a client on the default inbox prefix cannot even receive its replies
      const stray = await as('payments', { inboxPrefix: '_INBOX' });
      await expectRefused(
        stray.nc.request(catalogSubjects.getConfig, JSON.stringify({ key: 'sendgrid' }), { timeout: 15000 }),
      );
    });

    it('lets the services create their own durable consumers under their own users', async () => {
      const crm = await as('crm');
      const jsm = await jetstreamManager(crm.nc);
      for (const durable of ['kyc-webhook-processor', 'affiliates-deposits', 'affiliates-kyc']) {
        expect((await jsm.consumers.info('EVENTS', durable)).name).toBe(durable);
      }
    });

    it("lets a service's durable consumer fetch and ack under its own user (kyc event -> affiliates)", async () => {
      const customerId = randomUUID();
      const res = await api('/webhooks/kyc', {
        method: 'POST',
        json: {
          customer_id: customerId,
          provider: 'manual',
          provider_id: 'case-perm',
          status: 'approved',
          doc_type: 'passport',
          doc_country: 'gb',
          birth_date: '1980-01-01',
        },
      });
      expect(res.status).toBe(200);
      // affiliates-kyc records every event it handled in its transaction, then acks
      await eventually('affiliates-kyc to handle the kyc event', async () => {
        const rows = await queryRows<{ n: string }>(
          infra.databaseUrl,
          `SELECT count(*) AS n FROM affiliates.processed_messages WHERE consumer = 'affiliates-kyc'`,
        );
        return Number(rows[0].n) > 0 ? true : undefined;
      });
      const jsm = await jetstreamManager((await as('crm')).nc);
      await eventually('the ack to reach the server', async () => {
        const info = await jsm.consumers.info('EVENTS', 'affiliates-kyc');
        return info.num_ack_pending === 0 && info.ack_floor.consumer_seq > 0 ? true : undefined;
      });
    });

    it('lets the crm user read evt.> through a durable of its own, and publish nothing', async () => {
      const crm = await as('crm');
      const jsm = await jetstreamManager(crm.nc);
      await jsm.consumers.add('EVENTS', {
        durable_name: 'crm-events',
        filter_subject: 'evt.>',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      const consumer = await jetstream(crm.nc).consumers.get('EVENTS', 'crm-events');
      const m = await consumer.next({ expires: 30000 });
      expect(m?.subject).toBe('evt.catalog.provider.changed');
      expect(m?.json<{ key: string }>()).toMatchObject({ key: 'sendgrid', action: 'activated' });
      await m!.ackAck();

      for (const subject of [
        'evt.catalog.provider.changed',
        'evt.payments.deposit.approved',
        catalogSubjects.listProviders,
        '$JS.API.CONSUMER.MSG.NEXT.EVENTS.affiliates-deposits',
        '$JS.API.CONSUMER.DURABLE.CREATE.EVENTS.kyc-webhook-processor',
        '$JS.API.STREAM.DELETE.EVENTS',
        '$JS.API.CONSUMER.DELETE.EVENTS.affiliates-kyc',
      ]) {
        expect({ subject, denied: await crm.publishDenied(subject) }).toEqual({ subject, denied: true });
      }
      expect(await crm.subscribeDenied('catalog.providers.config.get')).toBe(true);
      expect(await crm.subscribeDenied('_INBOX_catalog.>')).toBe(true);
    });
  });
});
