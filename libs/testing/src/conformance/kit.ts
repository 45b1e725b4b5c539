import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Histogram, Registry } from 'prom-client';

import {
  ConnectorError,
  connectorHostPolicy,
  ConnectorRegistry,
  guardConnector,
  HostPolicy,
  mapped,
  ProviderGuards,
  sessionSecretDigest,
  staticRuleProblems,
  toDomainError,
  type Connector,
  type ConnectorConfig,
  type ProviderManifest,
  type StoredOrder,
} from '@app/connectors';
import { COMMS_STATUSES, PAYMENT_STATUSES, type DomainError, type ErrorCode, type FieldError } from '@app/contracts';

import {
  CONFORMANCE_RULES,
  type ConformanceDescriptor,
  type ConformanceRule,
  type ConformanceRun,
  type ProviderCallback,
  type WebhookCheck,
} from './descriptor';

const KYC_STATUSES = ['pending', 'approved', 'rejected', 'resubmission_requested', 'on_hold'];

/** What the kit needs from the platform around the connectors: the catalog's seed and policies, the services' ordering. */
export interface ConformancePlatform {
  seed: readonly { key: string; settings?: Record<string, unknown> }[];
  /** The catalog's refusal to seed (apps/catalog/src/seed/seeder.ts). */
  seedRefusals(seed: { key: string }[], registry: ConnectorRegistry): string[];
  /** The catalog's check of settings on activation (apps/catalog/src/providers/credentials.policy.ts). */
  checkSettings(manifest: ProviderManifest, settings: Record<string, unknown>, hosts: HostPolicy): FieldError[];
  /** Which settings hold a URL the connector calls or hands out. */
  isUrlSetting(name: string): boolean;
  /** The HTTP status the gateway answers for an error code (apps/gateway/src/http/problem.ts). */
  httpStatus(code: ErrorCode): number;
  /** True when `to` is behind `from` in the services' own ordering (comms forward-only, payments ranks). */
  isBackwards(
    category: Connector['manifest']['category'],
    channel: 'call' | 'email' | 'sms',
    from: string,
    to: string,
  ): boolean;
}

export type Outcome = 'pass' | 'fail' | 'exempt';

export interface RuleResult {
  rule: ConformanceRule;
  outcome: Outcome;
  /** Why it failed: one line each. */
  problems: string[];
  /** Checks exempted inside a passing rule, with the reason. */
  exempt: string[];
}

export interface ConnectorReport {
  key: string;
  results: RuleResult[];
}

/** A parsed callback reduced to what the rules compare. */
interface Parsed {
  keys: string[];
  status: string | null | undefined;
  token?: string;
  count: number;
  /** Why matchOrder parks the notification (payments with a stored order). */
  parked?: string;
}

const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const DEFAULT_URL = 'https://platform.example/webhooks/provider';

/** The `<key>.conformance.ts` beside a connector file, if there is one. */
export function descriptorFile(connectorFile: string): string {
  return connectorFile.replace(/\.connector\.(ts|js)$/, '.conformance.$1');
}

export function loadDescriptor(connectorFile: string | undefined): ConformanceDescriptor | undefined {
  if (!connectorFile) return undefined;
  const file = descriptorFile(connectorFile);
  if (!existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- descriptors are found beside their connectors, like the connectors
  return (require(file) as { conformance?: ConformanceDescriptor }).conformance;
}

/** Null when `err` is a refusal the services answer 401 to; otherwise what is wrong with it. */
function refusal(err: unknown, check?: WebhookCheck): string | null {
  if (err instanceof ConnectorError && err.code === 'bad_signature') return null;
  // no verification secret configured: payments and kyc refuse invalid_config from the parser as they refuse a bad signature
  if (check === 'no-secret' && err instanceof ConnectorError && err.code === 'invalid_config') return null;
  return err instanceof ConnectorError
    ? `threw ConnectorError ${err.code} instead of bad_signature: ${err.message}`
    : `threw ${(err as Error)?.name ?? typeof err} instead of a ConnectorError: ${(err as Error)?.message ?? String(err)}`;
}

/** Runs one connector through every rule. Never throws: a rule that cannot run fails with the reason. */
export class ConformanceKit {
  constructor(private readonly platform: ConformancePlatform) {}

  async check(
    connector: Connector,
    file: string | undefined,
    descriptor?: ConformanceDescriptor,
  ): Promise<ConnectorReport> {
    const key = connector.manifest?.key ?? '(no key)';
    const results = new Map<ConformanceRule, RuleResult>();
    const set = (rule: ConformanceRule, problems: string[], exempt: string[] = [], whole?: string) =>
      results.set(rule, {
        rule,
        outcome: whole !== undefined ? 'exempt' : problems.length ? 'fail' : 'pass',
        problems,
        exempt: whole !== undefined ? [whole] : exempt,
      });
    const statics = staticRuleProblems(connector, { file });
    set('manifest', [
      ...statics.filter((p) => p.rule === 'manifest').map((p) => p.message),
      ...this.seedProblems(connector),
    ]);
    if (!descriptor) {
      const missing = `no ${file ? descriptorFile(file).split('/').pop() : `${key}.conformance.ts`} beside the connector`;
      for (const rule of CONFORMANCE_RULES) if (rule !== 'manifest') set(rule, [missing]);
      return { key, results: CONFORMANCE_RULES.map((r) => results.get(r)!) };
    }
    let run: ConformanceRun | undefined;
    try {
      run = await descriptor.start();
    } catch (err) {
      for (const rule of CONFORMANCE_RULES)
        if (rule !== 'manifest') set(rule, [`the descriptor could not start: ${(err as Error).message}`]);
      return { key, results: CONFORMANCE_RULES.map((r) => results.get(r)!) };
    }
    try {
      const guard = async (rule: ConformanceRule, fn: () => Promise<{ problems: string[]; exempt?: string[] }>) => {
        const whole = descriptor.exempt?.[rule];
        if (whole !== undefined) return set(rule, [], [], whole);
        try {
          const r = await fn();
          set(rule, r.problems, r.exempt ?? []);
        } catch (err) {
          set(rule, [`could not run: ${(err as Error).message}`]);
        }
      };
      await guard('port', () =>
        this.port(
          connector,
          run,
          statics.filter((p) => p.rule === 'port').map((p) => p.message),
        ),
      );
      await guard('test', () => this.test(connector, run));
      await guard('webhooks', () => this.webhooks(connector, run));
      await guard('statuses', () => this.statuses(connector, run, descriptor));
      await guard('hosts', () =>
        this.hosts(
          connector,
          run,
          statics.filter((p) => p.rule === 'hosts').map((p) => p.message),
        ),
      );
      await guard('secrets', () => this.secrets(connector, run));
    } finally {
      await run.stop();
    }
    return { key, results: CONFORMANCE_RULES.map((r) => results.get(r)!) };
  }

  private seedProblems(connector: Connector): string[] {
    const key = connector.manifest?.key;
    const entry = this.platform.seed.find((e) => e.key === key);
    if (!entry) return [`the catalog seed has no entry for ${key}`];
    const registry = new ConnectorRegistry([connector]);
    const out = this.platform.seedRefusals([entry], registry);
    const known = new Set(['base_url', ...(connector.manifest.settings ?? []).map((s) => s.name)]);
    for (const name of Object.keys(entry.settings ?? {}))
      if (!known.has(name)) out.push(`the seed entry sets ${name}, which is not a setting of ${key}`);
    return out;
  }

  private async port(connector: Connector, run: ConformanceRun, statics: string[]) {
    const problems = [...statics];
    if (problems.length) return { problems };
    const category = connector.manifest.category;
    const answer = (await run.call(connector, run.config)) as Record<string, unknown> | null;
    if (!answer || typeof answer !== 'object') return { problems: [`the ${category} call answered ${String(answer)}`] };
    const str = (v: unknown) => typeof v === 'string' && v !== '';
    if (category === 'payment') {
      if (answer.type === 'embed') {
        if (!str(answer.script_url) || !str(answer.cashier_key))
          problems.push('an embed answer needs script_url and cashier_key');
      } else if (answer.type === 'redirect') {
        if (!str(answer.redirect_url)) problems.push('a redirect answer needs redirect_url');
      } else problems.push(`openCashier answered type ${String(answer.type)}, not embed or redirect`);
    } else if (category === 'kyc') {
      if (!str(answer.providerId)) problems.push('createApplicant answered no providerId');
      if (typeof answer.accessToken !== 'string') problems.push('createApplicant answered no accessToken');
    } else {
      if (!(COMMS_STATUSES as string[]).includes(answer.status as string))
        problems.push(`the send answered status ${String(answer.status)}, not one of ours`);
      if (answer.providerMessageId !== null && !str(answer.providerMessageId))
        problems.push('the send answered neither a provider id nor null');
      if (typeof answer.providerStatus !== 'string') problems.push('the send answered no providerStatus');
      if (answer.providerMessageId === null && !str(answer.correlationKey))
        problems.push('a send without a provider id must give the correlationKey its callbacks are matched by');
      const parts = answer.parts as { providerMessageId?: unknown; status?: unknown }[] | undefined;
      if (parts !== undefined) {
        if (!Array.isArray(parts) || parts.length === 0) problems.push('parts, when given, lists at least one part');
        else if (parts[0].providerMessageId !== answer.providerMessageId)
          problems.push("providerMessageId is not the first part's");
        else if (
          parts.some((p) => !str(p.providerMessageId) || !(COMMS_STATUSES as string[]).includes(p.status as string))
        )
          problems.push('every part needs a provider id and one of our statuses');
      }
    }
    return { problems };
  }

  private async test(connector: Connector, run: ConformanceRun) {
    const problems: string[] = [];
    run.fake.reset();
    try {
      await connector.test(run.config);
    } catch (err) {
      problems.push(`test() with good credentials failed: ${(err as Error).message}`);
    }
    if (run.fake.requests.length === 0) problems.push('test() with good credentials called nothing on the fake');
    run.fake.reset();
    const wrong = { ...run.config, credentials: { ...run.config.credentials, ...run.wrongCredentials } };
    try {
      await connector.test(wrong);
      problems.push('test() with wrong credentials resolved');
    } catch (err) {
      if (!(err instanceof ConnectorError))
        problems.push(`test() with wrong credentials threw ${(err as Error).name}, not a ConnectorError`);
      else {
        const status = this.platform.httpStatus(toDomainError(connector.manifest.key, err).code);
        if (err.code !== 'auth') problems.push(`test() with wrong credentials failed with ${err.code}, not auth`);
        if (status !== 422) problems.push(`wrong credentials would answer ${status}, not 422`);
      }
    }
    if (!run.fake.requests.some((r) => r.rejected))
      problems.push('the fake refused no request: the wrong credentials were not sent to it');
    return { problems };
  }

  /** Parses a callback the way the connector's category's service does. */
  private parse(connector: Connector, config: ConnectorConfig, cb: ProviderCallback, order?: StoredOrder): Parsed {
    const category = connector.manifest.category;
    if (category === 'payment') {
      const n = connector.payment!.readNotification(config, { headers: cb.headers, body: cb.body });
      const parked = order ? connector.payment!.matchOrder(n, order) : undefined;
      return { keys: [n.eventKey, ...(n.fingerprint ? [n.fingerprint] : [])], status: n.status, count: 1, parked };
    }
    if (category === 'kyc') {
      const e = connector.kyc!.parseWebhook(config, { headers: cb.headers, body: cb.body });
      return { keys: [e.eventKey], status: e.status, count: 1 };
    }
    const port = category === 'voip' ? connector.voice : category === 'sms' ? connector.sms : connector.email;
    if (!port?.parseCallback) throw new Error(`the ${category} port has no parseCallback`);
    const r = port.parseCallback(config, {
      method: cb.method ?? 'POST',
      url: cb.url ?? DEFAULT_URL,
      headers: cb.headers,
      body: cb.body,
    });
    const withStatus = r.events.find((e) => e.status !== undefined);
    return {
      keys: r.events.map((e) => e.providerEventId),
      status: withStatus ? withStatus.status : null,
      token: r.replayGuard?.token,
      count: r.events.length,
    };
  }

  private async webhooks(connector: Connector, run: ConformanceRun) {
    const hooks = run.webhooks;
    if (!hooks) return { problems: ['the descriptor gives no webhooks, and the rule is not exempt'] };
    const problems: string[] = [];
    const exempt: string[] = [];
    const skip = (check: WebhookCheck) => {
      const why = hooks.exempt?.[check];
      if (why !== undefined) exempt.push(`${check}: ${why}`);
      return why !== undefined;
    };
    const tryParse = (
      config: ConnectorConfig,
      cb: ProviderCallback,
      order = hooks.order,
    ): Parsed | { error: unknown } => {
      try {
        return this.parse(connector, config, cb, order);
      } catch (error) {
        return { error };
      }
    };
    const refused = (
      check: WebhookCheck,
      config: ConnectorConfig,
      cb: ProviderCallback,
      allowGuard?: Parsed,
      order = hooks.order,
    ) => {
      const r = tryParse(config, cb, order);
      if ('error' in r) {
        const why = refusal(r.error, check);
        if (why) problems.push(`${check}: ${why}`);
        return;
      }
      // a scheme that signs no body: accepted by the connector, then refused by comms's used-token store
      if (allowGuard?.token && r.token === allowGuard.token) return;
      // a parked notification is kept for an operator, never applied
      if (r.parked) return;
      // a signature compared without regard to case (a hex digest): the copy is the same event, de-duplicated
      if (check === 're-cased' && allowGuard && r.keys.length > 0 && r.keys.join() === allowGuard.keys.join()) {
        exempt.push('re-cased: accepted as the same event (same keys), so de-duplicated');
        return;
      }
      problems.push(`${check}: accepted`);
    };
    const first = tryParse(run.config, await hooks.signed({}));
    if ('error' in first) return { problems: [`valid: refused: ${(first.error as Error).message}`] };
    if (first.count === 0) problems.push('valid: parsed into no events');
    const second = tryParse(run.config, await hooks.signed({}));
    if ('error' in second)
      problems.push(`valid: a second signed callback was refused: ${(second.error as Error).message}`);
    else if (second.keys.join() === first.keys.join())
      problems.push('valid: two different callbacks got the same event key (one would be dropped as a repeat)');
    const cb = await hooks.signed({});
    const base = tryParse(run.config, cb);
    if ('error' in base) return { problems: [...problems, 'valid: refused on the third try'] };
    if (!skip('unsigned')) refused('unsigned', run.config, hooks.unsigned(cb));
    const without = (creds: Record<string, string>, fn: (v: string) => string | undefined) => ({
      ...run.config,
      credentials: Object.fromEntries(
        Object.entries({ ...run.config.credentials, ...creds }).flatMap(([k, v]) => {
          if (!hooks.verifying.includes(k)) return [[k, v]];
          const next = fn(v);
          return next === undefined ? [] : [[k, next]];
        }),
      ),
    });
    if (hooks.verifying.length === 0 && !hooks.order && !skip('forged'))
      problems.push('forged: no verifying credential (or stored order) is named');
    // a provider that signs nothing is proven by the secret its session echoes: another session's secret must not do
    if (hooks.verifying.length === 0 && hooks.order && !skip('forged'))
      refused('forged', run.config, cb, undefined, {
        ...hooks.order,
        sessionSecretSha256: sessionSecretDigest('forged'),
      });
    // nothing to verify with: no webhook secret configured (or, for an unsigned provider, no session secret stored)
    if (!skip('no-secret'))
      refused(
        'no-secret',
        without({}, () => undefined),
        cb,
        undefined,
        hooks.order && { ...hooks.order, sessionSecretSha256: null },
      );
    if (hooks.verifying.length && !skip('forged'))
      refused(
        'forged',
        hooks.forgedCredentials
          ? { ...run.config, credentials: { ...run.config.credentials, ...hooks.forgedCredentials } }
          : without({}, (v) => `forged-${v.slice(0, 8)}x`),
        cb,
      );
    if (!skip('tampered')) refused('tampered', run.config, hooks.tampered(cb), base);
    if (!skip('re-cased')) {
      const recased = hooks.recased(cb);
      if (recased.body.equals(cb.body) && JSON.stringify(recased.headers) === JSON.stringify(cb.headers))
        problems.push('re-cased: the descriptor changed nothing');
      else refused('re-cased', run.config, recased, base);
    }
    if (!skip('replayed')) {
      const again = tryParse(run.config, cb);
      if (!('error' in again)) {
        const same = again.keys.join() === base.keys.join() && again.keys.length > 0 && again.token === base.token;
        if (!same) problems.push('replayed: accepted under new event keys (it would be applied twice)');
      } else if (refusal(again.error)) problems.push(`replayed: ${refusal(again.error)}`);
    }
    if (!skip('stale')) {
      if (hooks.staleAfterMs === undefined) problems.push('stale: no window is given and the check is not exempt');
      else refused('stale', run.config, await hooks.signed({ atMs: Date.now() - hooks.staleAfterMs - 60_000 }));
    }
    return { problems, exempt };
  }

  private async statuses(connector: Connector, run: ConformanceRun, descriptor: ConformanceDescriptor) {
    const kit = descriptor.statuses;
    if (!kit) return { problems: ['the descriptor gives no statuses, and the rule is not exempt'] };
    if (!run.webhooks) return { problems: ['statuses are read from signed callbacks, and the descriptor gives none'] };
    const problems: string[] = [];
    const category = connector.manifest.category;
    const ours: readonly string[] =
      category === 'payment' ? PAYMENT_STATUSES : category === 'kyc' ? KYC_STATUSES : COMMS_STATUSES;
    const seen = new Map<string, string | null>();
    for (const status of kit.documented) {
      if (!Object.hasOwn(kit.table, status)) problems.push(`${status} is documented but not in the table`);
      try {
        const p = this.parse(connector, run.config, await run.webhooks.signed({ status }), run.webhooks.order);
        if (p.parked) problems.push(`a signed ${status} callback for the stored order was parked: ${p.parked}`);
        else if (p.status === undefined) problems.push(`${status} maps to nothing (undefined)`);
        else if (p.status !== null && !ours.includes(p.status))
          problems.push(`${status} maps to ${p.status}, not one of ours`);
        else seen.set(status, p.status);
      } catch (err) {
        problems.push(`a signed ${status} callback was refused: ${(err as Error).message}`);
      }
    }
    for (const name of INHERITED) {
      if (mapped(kit.table, name) !== undefined) problems.push(`the table answers ${name}`);
      let cb: ProviderCallback | undefined;
      try {
        cb = await run.webhooks.signed({ status: name });
      } catch {
        continue; // the fake cannot express it: the table check above stands
      }
      try {
        const p = this.parse(connector, run.config, cb);
        if (p.status !== null && p.status !== undefined)
          problems.push(`a callback with status ${name} maps to ${p.status}`);
      } catch {
        // refused: fine
      }
    }
    for (const seq of kit.lifecycles) {
      const mappedSeq = seq.map((s) => [s, seen.get(s)] as const).filter(([, m]) => m != null) as [string, string][];
      for (let i = 1; i < mappedSeq.length; i++) {
        const [ps, from] = mappedSeq[i - 1];
        const [ns, to] = mappedSeq[i];
        const channel = category === 'voip' ? 'call' : category === 'sms' ? 'sms' : 'email';
        if (this.platform.isBackwards(category, channel, from, to))
          problems.push(`${ps} → ${ns} moves ${from} back to ${to}`);
      }
    }
    return { problems };
  }

  private async hosts(connector: Connector, run: ConformanceRun, statics: string[]) {
    const problems = [...statics];
    const m = connector.manifest;
    if (problems.length) return { problems };
    const nothingAllowed = new HostPolicy([]);
    const urlSettings = [
      'base_url',
      ...m.settings.map((s) => s.name).filter((n) => n !== 'base_url' && this.platform.isUrlSetting(n)),
    ];
    const documented = m.hosts[0].replace(/^\*\./, 'api.');
    for (const name of urlSettings) {
      for (const bad of [
        'https://attacker.example/x',
        'https://127.0.0.2/x',
        `http://${documented}/x`,
        `https://${documented}.attacker.example/x`,
      ]) {
        const errors = this.platform.checkSettings(m, { [name]: bad }, nothingAllowed);
        if (!errors.some((e) => e.field === `settings.${name}`)) problems.push(`settings.${name} accepts ${bad}`);
      }
      const good = this.platform.checkSettings(m, { [name]: `https://${documented}/` }, nothingAllowed);
      if (good.some((e) => e.field === `settings.${name}`))
        problems.push(`settings.${name} refuses its documented host ${documented}`);
    }
    // at call time too: a stored base_url on a host neither documented nor allowed is never called.
    // A listener on 127.0.0.2 (loopback, not allowed) stands for that host: it must receive nothing.
    const trap = await listenOn('127.0.0.2');
    const before = connectorHostPolicy();
    connectorHostPolicy(new HostPolicy(['127.0.0.1']));
    try {
      const moved = { ...run.config, settings: { ...run.config.settings, base_url: trap.url } };
      try {
        await connector.test(moved);
        problems.push('test() with base_url on an undocumented host resolved');
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.code !== 'invalid_config' || !/refused to call/.test(err.message))
          problems.push(`a call to an undocumented host was not refused before sending: ${(err as Error).message}`);
      }
      await run.call(connector, moved).catch(() => undefined);
      if (trap.hits() > 0) problems.push(`the undocumented host (${trap.url}) received ${trap.hits()} request(s)`);
    } finally {
      connectorHostPolicy(before);
      await trap.close();
    }
    return { problems };
  }

  private async secrets(connector: Connector, run: ConformanceRun) {
    const fields = connector.manifest.credential_fields.filter((f) => f.secret).map((f) => f.name);
    const values = [
      ...fields.map((f) => run.config.credentials[f]),
      ...fields.map((f) => run.wrongCredentials[f]),
    ].filter((v): v is string => typeof v === 'string' && v.length >= 6);
    // what a provider echoing the request would put in its error: the secrets the call was made with
    const echo = fields
      .map((f) => run.config.credentials[f])
      .filter(Boolean)
      .join(' ');
    const outputs: { where: string; text: string }[] = [];
    const lines: string[] = [];
    const restore = captureOutput(lines);
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'connector_request_duration_seconds',
      help: 'conformance',
      labelNames: ['provider', 'operation', 'outcome'],
      registers: [registry],
    });
    const guards = new ProviderGuards(
      { failureThreshold: 100, cooldownMs: 1000, maxConcurrency: 10, retryAfterMaxMs: 1000, windowMs: 60_000 },
      (provider, operation, outcome, seconds) => histogram.observe({ provider, operation, outcome }, seconds),
    );
    const guarded = guardConnector(connector, guards.for(connector.manifest.key));
    const record = (where: string, err: unknown) => {
      const e = err as Error & { options?: unknown };
      outputs.push({ where, text: `${String(e)} ${e?.message} ${JSON.stringify(e)} ${JSON.stringify(e?.options)}` });
      const d: DomainError = toDomainError(connector.manifest.key, err);
      outputs.push({ where: `${where} (as the API answers it)`, text: JSON.stringify(d.toEnvelope()) });
    };
    const attempt = async (where: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        record(where, err);
      }
    };
    try {
      const wrong = { ...run.config, credentials: { ...run.config.credentials, ...run.wrongCredentials } };
      await attempt('test() with wrong credentials', () => guarded.test(wrong));
      // a provider that echoes what it was sent back in its error
      for (const [status, body] of [
        [401, { message: `invalid credentials ${echo}`, error: echo, errors: [{ detail: echo }] }],
        [400, { message: `bad request for ${echo}`, description: echo }],
        [500, `internal error: ${echo}`],
      ] as const) {
        run.fake.reset();
        run.fake.failNext({ status, body }, 3);
        await attempt(`test() answered ${status} echoing the secrets`, () => guarded.test(run.config));
        run.fake.reset();
        run.fake.failNext({ status, body }, 3);
        await attempt(`the port call answered ${status} echoing the secrets`, () => run.call(guarded, run.config));
      }
      run.fake.reset();
      if (run.webhooks) {
        const cb = await run.webhooks.signed({});
        const forged = {
          ...run.config,
          credentials: Object.fromEntries(
            Object.entries(run.config.credentials).map(([k, v]) => [
              k,
              run.webhooks!.verifying.includes(k) ? `${v}-x` : v,
            ]),
          ),
        };
        await attempt('a forged callback', () => Promise.resolve().then(() => this.parse(connector, forged, cb)));
        const unsigned = run.webhooks.unsigned(cb);
        await attempt('an unsigned callback', () =>
          Promise.resolve().then(() => this.parse(connector, run.config, unsigned)),
        );
      }
      outputs.push({ where: 'metrics', text: await registry.metrics() });
      outputs.push({ where: 'health', text: JSON.stringify(guards.samples()) });
    } finally {
      restore();
    }
    outputs.push(...lines.map((text) => ({ where: 'a log line', text })));
    const problems = outputs.flatMap((o) =>
      values.filter((v) => o.text.includes(v)).map(() => `a credential appears in ${o.where}`),
    );
    return { problems: [...new Set(problems)] };
  }
}

/** An HTTP listener that counts what reaches it. */
async function listenOn(host: string): Promise<{ url: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Collects what the process writes to stdout and stderr (pino, console) until the returned function restores them. */
function captureOutput(lines: string[]): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((s, i) => {
    s.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  });
  return () => streams.forEach((s, i) => (s.write = originals[i]));
}

/** The report as a Markdown table: connector × rule, each cell pass / fail / exempt with the reasons. */
export function conformanceTable(reports: ConnectorReport[]): string {
  const cell = (r: RuleResult) =>
    r.outcome === 'exempt'
      ? `exempt (${r.exempt.join('; ')})`
      : r.outcome === 'fail'
        ? `**fail**: ${r.problems.join('; ')}`
        : ['pass', ...r.exempt.map((e) => `exempt ${e}`)].join('; ');
  return [
    `| connector | ${CONFORMANCE_RULES.join(' | ')} |`,
    `| --- | ${CONFORMANCE_RULES.map(() => '---').join(' | ')} |`,
    ...[...reports]
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => `| ${r.key} | ${r.results.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Every connector the registry finds in `dirs`, with the file it was loaded from and its descriptor. */
export function discoverConnectors(
  dirs?: string[],
): { connector: Connector; file?: string; descriptor?: ConformanceDescriptor }[] {
  const registry = ConnectorRegistry.fromDirectories(dirs);
  return registry.list().map((connector) => {
    const file = registry.sourceOf(connector.manifest.key);
    return { connector, file, descriptor: loadDescriptor(file) };
  });
}
