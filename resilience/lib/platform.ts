import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Agent, request } from 'undici';

import { freePort, NATS_APPS, NatsServer, PgCluster, type NatsApp } from './infra';
import { onExit, Proc, ROOT, sampleRss } from './proc';
import { secrets } from './secrets';

export type App = 'catalog' | 'payments' | 'kyc' | 'comms' | 'affiliates';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface PlatformOptions {
  /** Drill name: names the log directory. */
  name: string;
  /** Services to run and how many replicas of each. */
  services: Partial<Record<App, number>>;
  /** Extra environment for every platform process. */
  env?: Record<string, string>;
  /** Extra environment for the gateway only. */
  gatewayEnv?: Record<string, string>;
}

/** Where every run's logs and the report go. */
export const OUT_DIR = join(ROOT, 'dist/resilience');

/** Bodies of the non-2xx answers the drills saw (distinct), for the secret scan. */
export const errorBodies = new Set<string>();
const MAX_ERROR_BODIES = 20_000;

/**
 * One drill's platform: its own nats-server and Postgres cluster, and the services and the gateway as
 * real child processes (the compiled dist/apps/<app>/src/main.js, as `npm start` runs them), each logging
 * to its own file. Every process logs in to NATS as its app with a password generated for this drill.
 */
export class Platform {
  readonly dir: string;
  readonly logDir: string;
  readonly nats: NatsServer;
  readonly pg: PgCluster;
  readonly procs = new Map<string, Proc>();
  readonly apiKey = `rk-${randomBytes(18).toString('hex')}`;
  readonly vaultKey = randomBytes(32).toString('base64');
  readonly natsPasswords: Record<NatsApp, string>;
  gatewayUrl = '';
  /** Each service process's own HTTP URL (/metrics, /readyz), by label. */
  readonly serviceUrls = new Map<string, string>();
  readonly agent = new Agent({
    connections: 512,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
    keepAliveTimeout: 10_000,
  });
  private stopSampler: (() => void) | null = null;
  private removeDirHook: (() => void) | null = null;
  private readonly natsConnections: NatsConnection[] = [];

  private constructor(
    readonly opts: PlatformOptions,
    natsPort: number,
    pgPort: number,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `resilience-${opts.name}-`));
    chmodSync(this.dir, 0o755); // the postgres user must reach its cluster directory inside
    this.logDir = join(OUT_DIR, 'logs', opts.name);
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    this.natsPasswords = Object.fromEntries(
      NATS_APPS.map((a) => [a, `np-${a}-${randomBytes(12).toString('hex')}`]),
    ) as Record<NatsApp, string>;
    for (const [app, pw] of Object.entries(this.natsPasswords)) secrets.add(`NATS password (${app})`, pw);
    secrets.add('platform API key', this.apiKey);
    secrets.add('vault master key', this.vaultKey);
    mkdirSync(join(this.dir, 'nats'));
    mkdirSync(join(this.dir, 'pg'));
    this.nats = new NatsServer(
      join(this.dir, 'nats'),
      natsPort,
      this.natsPasswords,
      join(this.logDir, 'nats-server.log'),
    );
    this.pg = new PgCluster(join(this.dir, 'pg'), pgPort);
  }

  static async start(opts: PlatformOptions): Promise<Platform> {
    const p = new Platform(opts, await freePort(), await freePort());
    try {
      await p.boot();
      return p;
    } catch (err) {
      await p.stop();
      throw err;
    }
  }

  private async boot(): Promise<void> {
    await this.pg.init();
    await this.pg.start();
    // after the cluster's own exit hook (pg_ctl stop), so the directory goes once nothing uses it
    this.removeDirHook = onExit(() => rmSync(this.dir, { recursive: true, force: true }));
    const admin = new Client({ connectionString: this.pg.adminUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE platform');
    await admin.end();
    await this.nats.start();
    this.stopSampler = sampleRss(() => this.allProcs());
    const services = Object.entries(this.opts.services) as [App, number][];
    // the first replica of each service creates its schema; further replicas start after
    await Promise.all(services.map(([app]) => this.startService(app, 1)));
    for (const [app, replicas] of services) for (let i = 2; i <= replicas; i++) await this.startService(app, i);
    const gw = this.addProc(
      'gateway',
      'gateway',
      { PORT: '0', HOST: '127.0.0.1', PLATFORM_API_KEYS: this.apiKey, ...this.opts.gatewayEnv },
      /gateway listening on/,
    );
    const line = await gw.start();
    this.gatewayUrl = /on (http:\/\/\S+)/.exec(line)![1];
  }

  private baseEnv(app: NatsApp): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG ?? 'C.UTF-8',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.runtime.json'),
      NATS_URL: this.nats.url,
      NATS_USER: app,
      NATS_PASSWORD: this.natsPasswords[app],
      DATABASE_URL: this.pg.url,
      VAULT_MASTER_KEYS: `rs1:${this.vaultKey}`,
      CONNECTOR_ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'info',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      ...this.opts.env,
    };
  }

  private addProc(label: string, app: NatsApp, env: Record<string, string>, ready: RegExp): Proc {
    const proc = new Proc({
      label,
      command: process.execPath,
      args: ['-r', 'tsconfig-paths/register', join(ROOT, `dist/apps/${app}/src/main.js`)],
      env: { ...this.baseEnv(app), ...env },
      logPath: join(this.logDir, `${label}.log`),
      ready,
    });
    this.procs.set(label, proc);
    return proc;
  }

  private async startService(app: App, replica: number): Promise<void> {
    const label = replica === 1 ? app : `${app}#${replica}`;
    const proc = this.addProc(label, app, {}, new RegExp(`"msg":"${app} service started"`));
    await this.readyService(proc);
  }

  private async readyService(proc: Proc): Promise<void> {
    const line = await proc.start(90_000);
    const url = (JSON.parse(line) as { url?: string }).url;
    if (url) this.serviceUrls.set(proc.label, url);
  }

  proc(label: string): Proc {
    const p = this.procs.get(label);
    if (!p) throw new Error(`no process ${label}`);
    return p;
  }

  allProcs(): Proc[] {
    return [...this.procs.values(), this.nats.proc];
  }

  /** Kills a platform process (SIGKILL: no shutdown hook runs). */
  kill(label: string): Promise<void> {
    return this.proc(label).stop('SIGKILL');
  }

  /** Starts a killed process again; resolves once it says it is ready. */
  async restart(label: string): Promise<void> {
    const proc = this.proc(label);
    if (label === 'gateway') await proc.start(90_000);
    else await this.readyService(proc);
  }

  crashes(): string[] {
    return this.allProcs().flatMap((p) => p.crashes);
  }

  /** Peak RSS of every process so far, MB, by label. */
  peakRss(): Record<string, number> {
    for (const p of this.allProcs()) p.sample();
    return Object.fromEntries(this.allProcs().map((p) => [p.label, Math.round(p.peakRssMb)]));
  }

  /** An HTTP call to the gateway with the platform key; never throws on a status. */
  async api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    auth = true,
    timeoutMs?: number,
  ): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (auth) h.authorization = `Bearer ${this.apiKey}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    return httpCall(this.agent, `${this.gatewayUrl}${path}`, method, h, payload, timeoutMs);
  }

  /** As api(), with a client that gives up after 2 s: times a recovery without waiting on lost requests. */
  probe(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.api(method, path, body, {}, true, 2000);
  }

  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: this.pg.url, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /** A NATS connection as one of the platform's users (its inbox prefix, its permissions). */
  async natsAs(app: NatsApp): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.nats.url,
      user: app,
      pass: this.natsPasswords[app],
      inboxPrefix: `_INBOX_${app}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 10_000,
    });
    this.natsConnections.push(nc);
    return nc;
  }

  /** Scrapes /metrics of the gateway and every live service. */
  async metricsPages(): Promise<{ label: string; text: string }[]> {
    const targets = [['gateway', this.gatewayUrl], ...this.serviceUrls.entries()].filter(
      ([label]) => this.procs.get(label)?.alive,
    );
    const pages: { label: string; text: string }[] = [];
    for (const [label, url] of targets) {
      const res = await httpCall(this.agent, `${url}/metrics`, 'GET', {}).catch(() => null);
      if (res && res.status === 200) pages.push({ label, text: res.text });
    }
    return pages;
  }

  async stop(): Promise<void> {
    for (const nc of this.natsConnections) await nc.close().catch(() => undefined);
    const gw = this.procs.get('gateway');
    if (gw) await gw.stop('SIGTERM');
    await Promise.all([...this.procs.values()].filter((p) => p.label !== 'gateway').map((p) => p.stop('SIGTERM')));
    this.stopSampler?.();
    await this.nats.stop().catch(() => undefined);
    await this.pg.destroy().catch(() => undefined);
    for (const p of this.allProcs()) await p.close();
    await this.agent.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    this.removeDirHook?.();
  }
}

/** One HTTP call; non-2xx bodies are kept for the secret scan. Network errors and timeouts throw. */
export async function httpCall(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs?: number,
): Promise<Answer> {
  const timeouts = timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {};
  const res = await request(url, { method: method as 'GET', headers, body, dispatcher: agent, ...timeouts });
  const text = await res.body.text();
  if ((res.statusCode < 200 || res.statusCode > 299) && errorBodies.size < MAX_ERROR_BODIES) errorBodies.add(text);
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}
