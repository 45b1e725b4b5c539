// The container files cannot run on this machine (no Docker engine, no cluster), so this spec reads them:
// docker-compose.yml, deploy/Dockerfile, .dockerignore and deploy/k8s (rendered by `kubectl kustomize`,
// as `kubectl apply -k` sends it) are parsed and checked
// against each other and against the apps' own config classes, so a missing service, variable or
// reference fails here instead of at `docker compose up` / `kubectl apply`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse, parseAllDocuments } from 'yaml';

import { loadConfig, ServiceConfig } from '@app/runtime';

import { GatewayConfig } from '../../gateway/src/gateway.config';
import { KUSTOMIZATION_DIR, renderKustomization } from '../src/kustomize';

const ROOT = resolve(__dirname, '..', '..', '..');
const APPS = ['gateway', 'catalog', 'payments', 'kyc', 'comms', 'affiliates'] as const;
type App = (typeof APPS)[number];
const SERVICES = APPS.filter((a) => a !== 'gateway');
const NEEDS_VAULT: App[] = ['catalog', 'affiliates'];
const NEEDS_PUBLIC_URL: App[] = ['gateway', 'payments', 'kyc', 'comms'];
const SECRET_VARS = ['PLATFORM_API_KEYS', 'VAULT_MASTER_KEYS', 'DATABASE_URL'];

const read = (rel: string) => readFileSync(join(ROOT, rel), 'utf8');
// parsed YAML is untyped by nature: the assertions below are what type it
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

// ---- docker-compose.yml ---------------------------------------------------------------------------

// merge: true so `<<: *anchor` behaves as in Docker Compose (YAML 1.2 leaves merge keys off by default)
const compose: Obj = parse(read('docker-compose.yml'), { merge: true });
const services: Obj = compose?.services ?? {};

/** A compose `environment:` (map or `KEY=value` list) as a map of raw, uninterpolated strings. */
function composeEnv(service: string): Record<string, string> {
  const env = services[service]?.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e: string) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v as string | number | boolean)]),
  );
}

/** Compose variable substitution as it happens when nothing is set in the caller's environment. */
function interpolate(value: string): string {
  return value
    .replace(/\$\$/g, '\u0000')
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?](.*?))?\}/g, (_m, _name, def: string | undefined) => def ?? '')
    .replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, '')
    .replace(/\u0000/g, '$');
}

function effectiveComposeEnv(service: string): Record<string, string> {
  return Object.fromEntries(Object.entries(composeEnv(service)).map(([k, v]) => [k, interpolate(v)]));
}

function buildArgs(service: string): Record<string, string> {
  const args = services[service]?.build?.args ?? {};
  if (Array.isArray(args)) return Object.fromEntries(args.map((a: string) => a.split('=', 2) as [string, string]));
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(v)]));
}

/** Ports as {published, target} from short ("[ip:]host:container[/proto]") or long syntax. */
function publishedPorts(service: string): { published: number; target: number }[] {
  return (services[service]?.ports ?? []).map((p: unknown) => {
    if (typeof p === 'object' && p)
      return { published: Number((p as Obj).published), target: Number((p as Obj).target) };
    const parts = interpolate(String(p))
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    return { published: Number(parts[parts.length - 2]), target: Number(parts[parts.length - 1]) };
  });
}

function commandArgs(service: string): string[] {
  const c = services[service]?.command;
  return Array.isArray(c)
    ? c.map(String)
    : String(c ?? '')
        .split(/\s+/)
        .filter(Boolean);
}

// ---- deploy/nats ----------------------------------------------------------------------------------

const USERS_CONF = 'deploy/nats/users.conf';
/** `user: name` entries of the users file, and the server-environment variable each one's password is read from. */
function natsUsers(): Map<string, string> {
  const users = new Map<string, string>();
  for (const m of read(USERS_CONF).matchAll(/^\s*user:\s*([A-Za-z0-9_-]+)\s*\n\s*password:\s*\$([A-Z0-9_]+)\s*$/gm))
    users.set(m[1], m[2]);
  return users;
}
const passwordVar = (app: string) => `NATS_PASSWORD_${app.toUpperCase()}`;

function healthTest(service: string): string {
  const t = services[service]?.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : String(t ?? '');
}

// ---- config classes -------------------------------------------------------------------------------

interface ConfigVar {
  name: string;
  initializer: string | null;
  file: string;
}

/** UPPER_SNAKE_CASE class properties (`NAME = default`, `NAME: T = default`, `NAME!: T`) of one file. */
function configVars(rel: string): ConfigVar[] {
  const vars: ConfigVar[] = [];
  for (const line of read(rel).split('\n')) {
    const withInit = /^\s*(?:(?:public|readonly)\s+)*([A-Z][A-Z0-9_]*)\s*(?::[^=;]+)?\s=\s*(.+?);?\s*$/.exec(line);
    const declared = /^\s*(?:(?:public|readonly)\s+)*([A-Z][A-Z0-9_]*)[!?]?\s*:\s*[^=;]+;\s*$/.exec(line);
    if (withInit) vars.push({ name: withInit[1], initializer: withInit[2].trim(), file: rel });
    else if (declared) vars.push({ name: declared[1], initializer: null, file: rel });
  }
  return vars;
}

function walk(relDir: string): string[] {
  const dir = join(ROOT, relDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const rel = join(relDir, entry);
    return statSync(join(ROOT, rel)).isDirectory() ? walk(rel) : [rel];
  });
}

const BASE_CONFIG_FILE = 'libs/runtime/src/config.ts';
/** libs/connectors' ConnectorCallerConfig (extends ServiceConfig): the services that call providers. */
const CONNECTOR_CONFIG_FILE = 'libs/connectors/src/guard/guard.config.ts';
/** libs/runtime's withVaultKeys(Base): the services that hold secrets. */
const VAULT_CONFIG_FILE = 'libs/runtime/src/vault.module.ts';

/** Every variable an app's config classes declare: its *.config.ts and definition.ts, plus ServiceConfig (or ConnectorCallerConfig) when extended. */
function appConfigVars(app: App): ConfigVar[] {
  const files = walk(`apps/${app}/src`).filter(
    (f) => /(\.config\.ts|(^|\/)definition\.ts)$/.test(f) && !/\.spec\.ts$/.test(f),
  );
  const vars = files.flatMap(configVars);
  const extendsConnector = files.some((f) => /\bextends\s+(withVaultKeys\()?ConnectorCallerConfig\b/.test(read(f)));
  if (extendsConnector) vars.push(...configVars(CONNECTOR_CONFIG_FILE));
  if (files.some((f) => /\bextends\s+withVaultKeys\(/.test(read(f)))) vars.push(...configVars(VAULT_CONFIG_FILE));
  if (extendsConnector || files.some((f) => /\bextends\s+(withVaultKeys\()?ServiceConfig\b/.test(read(f))))
    vars.push(...configVars(BASE_CONFIG_FILE));
  return vars;
}

/**
 * A default a container can live with: there is one, it is not empty, and it does not point at the
 * loopback interface (inside a container 127.0.0.1 is the container itself, so such defaults, meant
 * for `npm start`, must be overridden: NATS_URL, DATABASE_URL, HTTP_HOST, PUBLIC_BASE_URL).
 */
function hasContainerSafeDefault(v: ConfigVar): boolean {
  if (v.initializer === null) return false;
  if (/^(''|""|``|undefined|null)$/.test(v.initializer)) return false;
  return !/127\.0\.0\.1|localhost|::1/.test(v.initializer);
}

// ---- deploy/k8s -----------------------------------------------------------------------------------

const kustomization: Obj = parse(read(join(KUSTOMIZATION_DIR, 'kustomization.yaml')));
/** Every object of deploy/k8s as applied: generated names (nats-config-<hash>) and image overrides resolved. */
const k8sDocs: Obj[] = renderKustomization();
const ofKind = (kind: string) => k8sDocs.filter((d) => d.kind === kind);
const find = (kind: string, name: string, namespace?: string) =>
  k8sDocs.find(
    (d) =>
      d.kind === kind && d.metadata?.name === name && (namespace === undefined || d.metadata?.namespace === namespace),
  );
const deploymentOf = (app: App) => find('Deployment', app);
const mainContainer = (app: App): Obj => {
  const containers: Obj[] = deploymentOf(app)?.spec?.template?.spec?.containers ?? [];
  return containers.find((c) => c.name === app) ?? containers[0] ?? {};
};

/** Env names a container gets, with where each comes from; ConfigMap data and Secret keys resolved. */
function k8sEnv(app: App): Map<string, { value?: string; from: 'value' | 'configMap' | 'secret' | 'other' }> {
  const ns = deploymentOf(app)?.metadata?.namespace;
  const c = mainContainer(app);
  const env = new Map<string, { value?: string; from: 'value' | 'configMap' | 'secret' | 'other' }>();
  for (const src of c.envFrom ?? []) {
    if (src.configMapRef)
      for (const [k, v] of Object.entries(find('ConfigMap', src.configMapRef.name, ns)?.data ?? {}))
        env.set(k, { value: String(v), from: 'configMap' });
    if (src.secretRef)
      for (const k of Object.keys({
        ...find('Secret', src.secretRef.name, ns)?.stringData,
        ...find('Secret', src.secretRef.name, ns)?.data,
      }))
        env.set(k, { from: 'secret' });
  }
  for (const e of c.env ?? []) {
    if ('value' in e) env.set(e.name, { value: String(e.value), from: 'value' });
    else if (e.valueFrom?.secretKeyRef) env.set(e.name, { from: 'secret' });
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      env.set(e.name, { value: find('ConfigMap', ref.name, ns)?.data?.[ref.key], from: 'configMap' });
    } else env.set(e.name, { from: 'other' });
  }
  return env;
}

// ---- deploy/Dockerfile ----------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
/** Instructions in order: comments dropped, `\` continuations joined. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue; // also inside a continuation, as docker does
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical.map((l) => {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    return { op: m[1].toUpperCase(), args: m[2] };
  });
}
const dockerfile = existsSync(join(ROOT, 'deploy/Dockerfile')) ? dockerInstructions(read('deploy/Dockerfile')) : [];
const stages: Instruction[][] = [];
for (const ins of dockerfile) {
  if (ins.op === 'FROM') stages.push([]);
  if (stages.length) stages[stages.length - 1].push(ins);
}
const finalStage = stages[stages.length - 1] ?? [];
const execOrShell = (args: string) => {
  try {
    const parsed = JSON.parse(args);
    if (Array.isArray(parsed)) return parsed.join(' ');
  } catch {
    /* shell form */
  }
  return args;
};

// ===================================================================================================

describe('the app list this spec checks', () => {
  it('matches the apps in the repository that have a main.ts', () => {
    const withMain = readdirSync(join(ROOT, 'apps'))
      .filter((d) => existsSync(join(ROOT, 'apps', d, 'src', 'main.ts')))
      .sort();
    expect(withMain).toEqual([...APPS].sort());
  });
});

describe('docker-compose.yml', () => {
  it('runs nats, postgres and all six apps', () => {
    for (const name of ['nats', 'postgres', ...APPS]) expect(Object.keys(services)).toContain(name);
  });

  it('runs NATS 2.10 with JetStream on a volume and a health check on its monitoring port', () => {
    const nats = services.nats;
    expect(String(nats.image)).toMatch(/^nats:2\.10/);
    const args = commandArgs('nats');
    // JetStream from -js or from the configuration file given with -c
    const configArg = args.indexOf('-c') >= 0 ? args[args.indexOf('-c') + 1] : null;
    const configText = configArg ? read(configArg.replace(/^\/etc\/nats\//, 'deploy/nats/')) : '';
    expect(args.includes('-js') || /^\s*jetstream\s*(:\s*enabled|\{)/m.test(configText)).toBe(true);
    const storeDir = args[args.indexOf('-sd') + 1];
    expect(args.indexOf('-sd')).toBeGreaterThanOrEqual(0);
    expect((nats.volumes ?? []).map(String).some((v: string) => v.endsWith(`:${storeDir}`))).toBe(true);
    const monitor = args[args.indexOf('-m') + 1];
    expect(args.indexOf('-m')).toBeGreaterThanOrEqual(0);
    expect(healthTest('nats')).toMatch(new RegExp(`wget .*:${monitor}/healthz`));
  });

  it('runs Postgres 15 on a volume, with pg_isready and credentials that DATABASE_URL uses', () => {
    const pg = services.postgres;
    expect(String(pg.image)).toMatch(/^postgres:15/);
    expect((pg.volumes ?? []).map(String).some((v: string) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
    expect(healthTest('postgres')).toContain('pg_isready');
    const pgEnv = effectiveComposeEnv('postgres');
    const user = pgEnv.POSTGRES_USER || 'postgres';
    const db = pgEnv.POSTGRES_DB || user;
    for (const app of SERVICES) {
      const url = new URL(effectiveComposeEnv(app).DATABASE_URL);
      expect(url.hostname).toBe('postgres');
      expect(decodeURIComponent(url.username)).toBe(user);
      expect(url.pathname).toBe(`/${db}`);
      if (pgEnv.POSTGRES_HOST_AUTH_METHOD !== 'trust') {
        expect(pgEnv.POSTGRES_PASSWORD).toBeTruthy();
        expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
      }
    }
  });

  it.each(APPS)('builds %s from deploy/Dockerfile with APP set to its name', (app) => {
    const build = services[app]?.build;
    expect(build).toBeDefined();
    expect(resolve(ROOT, build.context ?? '.')).toBe(ROOT);
    expect(build.dockerfile).toBe('deploy/Dockerfile');
    expect(buildArgs(app).APP).toBe(app);
  });

  it.each(APPS)('starts %s only once nats and postgres are healthy, restarts it and gives it 15s to stop', (app) => {
    const dependsOn = services[app]?.depends_on;
    expect(Array.isArray(dependsOn)).toBe(false); // the list form cannot carry a condition
    for (const dep of ['nats', 'postgres']) expect(dependsOn?.[dep]?.condition).toBe('service_healthy');
    expect(services[app].restart).toBe('unless-stopped');
    expect(services[app].stop_grace_period).toBe('15s');
  });

  it.each(APPS)('points %s at the nats service', (app) => {
    expect(new URL(effectiveComposeEnv(app).NATS_URL).host).toBe('nats:4222');
  });

  it.each(SERVICES)('gives %s a DATABASE_URL and an HTTP listener reachable from outside the container', (app) => {
    const env = effectiveComposeEnv(app);
    expect(env.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    expect(env.HTTP_PORT).toBe('8080');
    expect(env.HTTP_HOST).toBe('0.0.0.0');
  });

  it('keeps the gateway off the database', () => {
    expect(composeEnv('gateway').DATABASE_URL).toBeUndefined();
  });

  it('gives the gateway overridable PLATFORM_API_KEYS and publishes its PORT on 3000', () => {
    const raw = composeEnv('gateway');
    expect(raw.PLATFORM_API_KEYS).toMatch(/^\$\{PLATFORM_API_KEYS:?-dev[^}]*\}$/);
    const port = Number(effectiveComposeEnv('gateway').PORT ?? 3000);
    expect(publishedPorts('gateway')).toContainEqual({ published: 3000, target: port });
  });

  it("passes the gateway's own config validation with the compose defaults", () => {
    const config = loadConfig(GatewayConfig, effectiveComposeEnv('gateway'));
    expect(config.PLATFORM_API_KEYS).toMatch(/dev/);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it.each(SERVICES)('passes ServiceConfig validation for %s with the compose defaults', (app) => {
    const config = loadConfig(ServiceConfig, effectiveComposeEnv(app));
    expect(config.NATS_URL).not.toMatch(/127\.0\.0\.1/);
    expect(config.DATABASE_URL).not.toMatch(/127\.0\.0\.1/);
  });

  it.each(NEEDS_VAULT)('gives %s an overridable VAULT_MASTER_KEYS whose dev default is id:base64(32 bytes)', (app) => {
    expect(composeEnv(app).VAULT_MASTER_KEYS).toMatch(/^\$\{VAULT_MASTER_KEYS:?-dev[^}]*\}$/);
    for (const entry of effectiveComposeEnv(app).VAULT_MASTER_KEYS.split(',')) {
      const [id, key] = entry.split(':');
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
    }
  });

  it('uses the same vault key ring in catalog and affiliates', () => {
    expect(composeEnv('affiliates').VAULT_MASTER_KEYS).toBe(composeEnv('catalog').VAULT_MASTER_KEYS);
  });

  it.each(NEEDS_PUBLIC_URL)('gives %s a PUBLIC_BASE_URL', (app) => {
    expect(effectiveComposeEnv(app).PUBLIC_BASE_URL).toMatch(/^https?:\/\//);
  });

  it('gives affiliates its batching and SSRF-guard settings', () => {
    const env = composeEnv('affiliates');
    for (const name of ['AFFILIATE_BATCH_INTERVAL_MS', 'AFFILIATE_ALLOWED_HOSTS', 'AFFILIATE_ALLOW_HTTP'])
      expect(env).toHaveProperty(name);
    expect(Number(interpolate(env.AFFILIATE_BATCH_INTERVAL_MS))).toBeGreaterThan(0);
  });

  it("runs NATS from deploy/nats/nats-server.conf, mounted read-only, with every user's password from the environment", () => {
    const args = commandArgs('nats');
    expect(args.slice(args.indexOf('-c'), args.indexOf('-c') + 2)).toEqual(['-c', '/etc/nats/nats-server.conf']);
    expect((services.nats.volumes ?? []).map(String)).toContain('./deploy/nats:/etc/nats:ro');
    expect(read('deploy/nats/nats-server.conf')).toMatch(/^include \.\/users\.conf$/m);
    const env = composeEnv('nats');
    for (const [user, variable] of natsUsers()) {
      expect({ user, variable }).toEqual({ user, variable: passwordVar(user) });
      expect(env[variable]).toMatch(new RegExp(`^\\$\\{${variable}:?-dev-only[^}]*\\}$`));
    }
  });

  it('has a NATS user for every app and for the CRM, and no anonymous access', () => {
    expect([...natsUsers().keys()].sort()).toEqual([...APPS, 'crm'].sort());
    expect(read(USERS_CONF)).not.toMatch(/no_auth_user/);
  });

  it.each(APPS)('logs %s in to NATS as its own user, with the password the server has for that user', (app) => {
    const env = composeEnv(app);
    expect(env.NATS_USER).toBe(app);
    expect(env.NATS_PASSWORD).toBe(composeEnv('nats')[passwordVar(app)]);
  });

  it('keeps every secret overridable from the environment instead of hard-coded', () => {
    for (const app of APPS) {
      for (const [name, value] of Object.entries(composeEnv(app))) {
        if (SECRET_VARS.includes(name) && name !== 'DATABASE_URL') expect(value).toMatch(new RegExp(`^\\$\\{${name}`));
      }
    }
  });
});

describe('config classes against the deployment files', () => {
  it('finds the variables in the gateway config and in ServiceConfig (the parser works)', () => {
    const gateway = appConfigVars('gateway').map((v) => v.name);
    expect(gateway).toEqual(
      expect.arrayContaining(['PORT', 'HOST', 'PLATFORM_API_KEYS', 'NATS_URL', 'BODY_LIMIT_BYTES', 'PUBLIC_BASE_URL']),
    );
    expect(gateway).not.toContain('DATABASE_URL');
    const base = configVars(BASE_CONFIG_FILE).map((v) => v.name);
    expect(base).toEqual(
      expect.arrayContaining([
        'NATS_URL',
        'DATABASE_URL',
        'HTTP_PORT',
        'HTTP_HOST',
        'NATS_REQUEST_TIMEOUT_MS',
        'SHUTDOWN_TIMEOUT_MS',
        'LOG_LEVEL',
        'DB_POOL_SIZE',
      ]),
    );
    for (const app of SERVICES) expect(appConfigVars(app).map((v) => v.name)).toEqual(expect.arrayContaining(base));
  });

  it('marks empty and loopback defaults as unusable in a container', () => {
    const byName = Object.fromEntries(appConfigVars('gateway').map((v) => [v.name, v]));
    expect(hasContainerSafeDefault(byName.PLATFORM_API_KEYS)).toBe(false);
    expect(hasContainerSafeDefault(byName.NATS_URL)).toBe(false);
    expect(hasContainerSafeDefault(byName.BODY_LIMIT_BYTES)).toBe(true);
  });

  it.each(APPS)('sets in compose every %s variable that has no container-safe default in code', (app) => {
    const env = composeEnv(app);
    const missing = appConfigVars(app)
      .filter((v) => !(v.name in env) && !hasContainerSafeDefault(v))
      .map((v) => `${v.name} (${v.file})`);
    expect(missing).toEqual([]);
  });

  it.each(APPS)('sets in its k8s Deployment every %s variable that has no container-safe default in code', (app) => {
    const env = k8sEnv(app);
    const missing = appConfigVars(app)
      .filter((v) => !env.has(v.name) && !hasContainerSafeDefault(v))
      .map((v) => `${v.name} (${v.file})`);
    expect(missing).toEqual([]);
  });
});

describe('deploy/Dockerfile', () => {
  it("is a multi-stage build on node:24-bookworm-slim, a Node that package.json's engines accepts, as it does Node 20", () => {
    const froms = dockerfile.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:24-bookworm-slim\b/);
    // a lower bound only (`>=20.x`): Node 20 (the development machine, CI) and Node 24 (the images, CI) both pass
    const engines = String(JSON.parse(read('package.json')).engines?.node);
    const bound = /^>=\s*(\d+)\.\d+\.\d+$/.exec(engines);
    expect(bound).not.toBeNull();
    expect(Number(bound![1])).toBeLessThanOrEqual(20);
  });

  it("is the Node CI runs the Jest suite on as well, after npm test on the machine's Node", () => {
    const ci = read('.ci/run')
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    const npmTest = ci.search(/^npm test$/m);
    const node24 = ci.search(/node@24\b[\s\S]*node node_modules\/jest\/bin\/jest\.js/);
    expect(npmTest).toBeGreaterThanOrEqual(0);
    expect(node24).toBeGreaterThan(npmTest);
  });

  it('takes the app as ARG APP, in the stage that runs it', () => {
    expect(finalStage.some((i) => i.op === 'ARG' && /^APP(=|$)/.test(i.args))).toBe(true);
  });

  it('compiles in the build stage with npm ci and tools/build.js', () => {
    const runs = stages[0]
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(runs).toMatch(/\bnpm ci\b(?!.*--omit)/);
    expect(runs).toContain('node tools/build.js');
  });

  it('ships production dependencies, dist/ from the build stage and tsconfig.runtime.json', () => {
    const buildStageName = /\bAS\s+(\S+)/i.exec(stages[0][0].args)?.[1];
    expect(buildStageName).toBeDefined();
    expect(
      finalStage
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/npm ci [^\n]*--omit=dev/);
    const copies = finalStage.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContainEqual(
      expect.stringMatching(new RegExp(`--from=${buildStageName}\\s+\\S*dist\\s+\\S*dist`)),
    );
    expect(copies).toContainEqual(expect.stringMatching(/\btsconfig\.runtime\.json\b/));
    // the gateway's image must hold the built console it serves at /console
    expect(
      finalStage
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).toMatch(/test -f dist\/console\/index\.html/);
    const buildTsconfig = JSON.parse(read('tsconfig.build.json'));
    expect(buildTsconfig.compilerOptions.outDir.replace(/^\.\//, '')).toBe('dist');
    expect(buildTsconfig.compilerOptions.rootDir).toBe('.');
    const runtimeTsconfig = JSON.parse(read('tsconfig.runtime.json'));
    expect(runtimeTsconfig.compilerOptions.baseUrl.replace(/^\.\//, '')).toBe('dist');
  });

  it('sets NODE_ENV, TS_NODE_PROJECT and APP for the running process', () => {
    const env: Record<string, string> = {};
    for (const i of finalStage.filter((x) => x.op === 'ENV')) {
      for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g))
        env[m[1]] = m[2].replace(/^"|"$/g, '');
    }
    expect(env).toMatchObject({ NODE_ENV: 'production', TS_NODE_PROJECT: 'tsconfig.runtime.json' });
    expect(env.APP).toMatch(/^\$\{?APP\}?$/);
  });

  it('runs as a non-root user', () => {
    const users = finalStage.filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1].args.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('exposes a port and checks /health with node (no curl in slim images)', () => {
    expect(finalStage.some((i) => i.op === 'EXPOSE' && /\d+/.test(i.args))).toBe(true);
    const health = finalStage.find((i) => i.op === 'HEALTHCHECK');
    expect(health).toBeDefined();
    const cmd = health!.args.replace(/^(--\S+\s+)*CMD\s+/, '');
    expect(execOrShell(cmd)).toMatch(/^node\b.*fetch\(.*\/health\b/);
  });

  it('starts the chosen app through tsconfig-paths, with node receiving SIGTERM', () => {
    const cmds = finalStage.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
    const cmd = execOrShell(cmds[cmds.length - 1]?.args ?? '');
    expect(cmd).toMatch(/node -r tsconfig-paths\/register dist\/apps\/\$\{?APP\}?\/src\/main\.js/);
    if (/^sh -c /.test(cmd)) expect(cmd).toMatch(/^sh -c exec node /);
  });

  it('has a .dockerignore at the build context root that keeps local artefacts out', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.nx', 'coverage']) expect(ignore).toContain(entry);
  });
});

describe('deploy/k8s', () => {
  it('renders common.yaml, NATS and one file per app, each with its Deployment and Service', () => {
    expect(kustomization.resources).toEqual(
      expect.arrayContaining(['common.yaml', '../nats', 'nats.yaml', ...APPS.map((a) => `${a}.yaml`)]),
    );
    // every manifest in the directory is in the kustomization: none is silently left out of `apply -k`
    const files = readdirSync(join(ROOT, KUSTOMIZATION_DIR)).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml',
    );
    expect(kustomization.resources).toEqual(expect.arrayContaining(files));
    for (const app of APPS) {
      expect(deploymentOf(app)).toBeDefined();
      expect(find('Service', app)).toBeDefined();
    }
  });

  it('puts every object in a namespace that common.yaml declares', () => {
    const namespaces = ofKind('Namespace').map((n) => n.metadata.name);
    expect(parseAllDocuments(read(join(KUSTOMIZATION_DIR, 'common.yaml'))).map((d) => d.toJS()?.kind)).toContain(
      'Namespace',
    );
    expect(namespaces.length).toBeGreaterThan(0);
    for (const d of k8sDocs.filter((x) => x.kind !== 'Namespace')) expect(namespaces).toContain(d.metadata?.namespace);
  });

  it('keeps only placeholders in the Secret template, for every secret variable', () => {
    const secrets = ofKind('Secret');
    expect(secrets.length).toBeGreaterThan(0);
    const keys = secrets.flatMap((s) => Object.keys({ ...s.stringData, ...s.data }));
    expect(keys).toEqual(expect.arrayContaining(SECRET_VARS));
    for (const s of secrets) {
      expect(s.data).toBeUndefined(); // base64 `data` would hide whether a real value slipped in
      for (const value of Object.values(s.stringData ?? {})) expect(String(value)).toMatch(/REPLACE_ME/);
    }
  });

  it('keeps secrets out of ConfigMaps', () => {
    for (const cm of ofKind('ConfigMap'))
      for (const name of SECRET_VARS) expect(cm.data ?? {}).not.toHaveProperty(name);
  });

  it.each(APPS)(
    "runs %s as at least 2 non-root replicas (its autoscaler's minimum) with resources and a 20s grace period",
    (app) => {
      const d = deploymentOf(app)!;
      expect(d.apiVersion).toBe('apps/v1');
      // the HorizontalPodAutoscaler owns the count: a fixed one would be reset at every apply
      expect(d.spec.replicas).toBeUndefined();
      const hpa = ofKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === app);
      expect(hpa?.spec?.minReplicas).toBeGreaterThanOrEqual(2);
      const pod = d.spec.template.spec;
      expect(pod.terminationGracePeriodSeconds).toBe(20);
      const c = mainContainer(app);
      const runAsNonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      const runAsUser = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      expect(runAsNonRoot).toBe(true);
      // the image's USER is a name (`node`): without a numeric uid the kubelet refuses to start the pod
      expect(typeof runAsUser).toBe('number');
      expect(runAsUser).toBeGreaterThan(0);
      expect(c.image).toContain(app);
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      expect(Object.keys(d.spec.selector.matchLabels ?? {}).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
        expect(d.spec.template.metadata.labels[k]).toBe(v);
    },
  );

  it.each(APPS)('probes %s readiness on /readyz and liveness on /livez at the port it listens on', (app) => {
    const c = mainContainer(app);
    const env = k8sEnv(app);
    const listenPort = Number(app === 'gateway' ? (env.get('PORT')?.value ?? 3000) : env.get('HTTP_PORT')?.value);
    expect(listenPort).toBeGreaterThan(0);
    const containerPort = (c.ports ?? []).find((p: Obj) => p.containerPort === listenPort);
    expect(containerPort).toBeDefined();
    for (const [probe, path] of [
      ['readinessProbe', '/readyz'],
      ['livenessProbe', '/livez'],
    ]) {
      const get = c[probe]?.httpGet;
      expect(get?.path).toBe(path);
      expect([containerPort.name, containerPort.containerPort]).toContain(get?.port);
    }
  });

  it.each(APPS)('references only ConfigMaps, Secrets and keys that exist, from %s', (app) => {
    const ns = deploymentOf(app)!.metadata.namespace;
    const c = mainContainer(app);
    const refs: [string, string, string | undefined][] = [];
    for (const src of c.envFrom ?? []) {
      if (src.configMapRef) refs.push(['ConfigMap', src.configMapRef.name, undefined]);
      if (src.secretRef) refs.push(['Secret', src.secretRef.name, undefined]);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef)
        refs.push(['ConfigMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key]);
      if (e.valueFrom?.secretKeyRef) refs.push(['Secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
    }
    expect(refs.length).toBeGreaterThan(0);
    for (const [kind, name, key] of refs) {
      const target = find(kind, name, ns);
      expect({ kind, name, exists: Boolean(target) }).toEqual({ kind, name, exists: true });
      if (key) expect(Object.keys({ ...target!.data, ...target!.stringData })).toContain(key);
    }
  });

  it.each(APPS)('gives %s the variables it needs, secrets from the Secret', (app) => {
    const env = k8sEnv(app);
    expect(env.get('NATS_URL')?.value).toMatch(/^nats:\/\//);
    const needsSecret = [
      ...(app === 'gateway' ? ['PLATFORM_API_KEYS'] : ['DATABASE_URL']),
      ...(NEEDS_VAULT.includes(app) ? ['VAULT_MASTER_KEYS'] : []),
    ];
    for (const name of needsSecret) expect({ name, from: env.get(name)?.from }).toEqual({ name, from: 'secret' });
    if (app === 'gateway') expect(env.has('DATABASE_URL')).toBe(false);
    if (NEEDS_PUBLIC_URL.includes(app)) expect(env.get('PUBLIC_BASE_URL')?.value).toMatch(/^https?:\/\//);
    if (app !== 'gateway') expect(env.get('HTTP_HOST')?.value).toBe('0.0.0.0');
  });

  it.each(APPS)('exposes %s through a Service that selects its pods and targets its port', (app) => {
    const d = deploymentOf(app)!;
    const svc = find('Service', app, d.metadata.namespace)!;
    const selector: Obj = svc.spec.selector ?? {};
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect(d.spec.template.metadata.labels[k]).toBe(v);
    const ports: Obj[] = mainContainer(app).ports ?? [];
    for (const p of svc.spec.ports) {
      const target = p.targetPort ?? p.port;
      expect(ports.some((cp) => cp.name === target || cp.containerPort === target)).toBe(true);
    }
  });

  it('runs NATS from deploy/nats/nats-cluster.conf and users.conf themselves, with the passwords from a Secret', () => {
    // the users file nats-permissions.e2e-spec.ts runs nats-server with is, byte for byte, the one the
    // cluster mounts: kustomize generates the ConfigMap from deploy/nats, there is no copy to drift
    expect(
      readdirSync(join(ROOT, KUSTOMIZATION_DIR))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => read(join(KUSTOMIZATION_DIR, f)))
        .join('\n'),
    ).not.toMatch(/accounts\s*\{/);
    const sts = find('StatefulSet', 'nats');
    const pod = sts?.spec?.template?.spec;
    const c: Obj = pod?.containers?.[0] ?? {};
    expect(c.args?.slice(0, 2)).toEqual(['-c', '/etc/nats/nats-cluster.conf']);
    const mount = (c.volumeMounts ?? []).find((m: Obj) => m.mountPath === '/etc/nats');
    const cmName = pod.volumes.find((v: Obj) => v.name === mount?.name)?.configMap?.name;
    expect(cmName).toMatch(/^nats-config-[a-z0-9]+$/); // content-hashed: an edit rolls the NATS pods
    const cm = find('ConfigMap', cmName, sts?.metadata?.namespace);
    expect(Object.keys(cm?.data ?? {}).sort()).toEqual(['nats-cluster.conf', 'users.conf']);
    expect(cm?.data?.['nats-cluster.conf']).toBe(read('deploy/nats/nats-cluster.conf'));
    expect(cm?.data?.['users.conf']).toBe(read(USERS_CONF));
    expect(read('deploy/nats/nats-cluster.conf')).toMatch(/^include \.\/users\.conf$/m);
    const secretName = (c.envFrom ?? []).find((e: Obj) => e.secretRef)?.secretRef?.name;
    const secret = find('Secret', secretName);
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual([...natsUsers().values()].sort());
    const svcHost = new URL(String(find('ConfigMap', 'platform-config')?.data?.NATS_URL)).hostname;
    expect(svcHost).toBe(`nats.${sts?.metadata?.namespace}.svc.cluster.local`);
    expect(find('Service', 'nats')?.spec?.selector).toEqual(sts?.spec?.selector?.matchLabels);
  });

  it.each(APPS)('logs %s in to NATS as its own user, its password from the NATS Secret', (app) => {
    const c = mainContainer(app);
    const user = (c.env ?? []).find((e: Obj) => e.name === 'NATS_USER');
    const pass = (c.env ?? []).find((e: Obj) => e.name === 'NATS_PASSWORD');
    expect(user?.value).toBe(app);
    expect(pass?.valueFrom?.secretKeyRef).toEqual({ name: 'nats-users', key: passwordVar(app) });
    expect(natsUsers().get(app)).toBe(passwordVar(app));
  });

  it('protects the gateway with a PodDisruptionBudget that selects its pods', () => {
    const pdb = ofKind('PodDisruptionBudget').find((p) => p.metadata?.name === 'gateway');
    expect(pdb).toBeDefined();
    expect(pdb!.apiVersion).toBe('policy/v1');
    const labels = deploymentOf('gateway')!.spec.template.metadata.labels;
    const match: Obj = pdb!.spec.selector.matchLabels;
    expect(Object.keys(match).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(match)) expect(labels[k]).toBe(v);
    expect(pdb!.spec.minAvailable ?? pdb!.spec.maxUnavailable).toBeDefined();
  });
});

describe('deploy/README.md', () => {
  it('explains the image build, compose and kubectl', () => {
    const readme = read('deploy/README.md');
    expect(readme).toMatch(/--build-arg APP=/);
    expect(readme).toMatch(/docker compose/);
    expect(readme).toMatch(/kubectl apply/);
  });
});
