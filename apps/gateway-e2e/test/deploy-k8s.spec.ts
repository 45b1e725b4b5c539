// deploy/k8s as `kubectl apply -k` sends it (rendered by `kubectl kustomize`; no cluster here): every
// object against the Kubernetes schemas (kubernetes-models), and what the manifests are meant to say
// about scale-out: network policy intent, a PodDisruptionBudget and an autoscaler per app, overridable
// images, a replicated event stream on a 3-node NATS, and /metrics on a port no Service exposes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import { KUSTOMIZATION_DIR, renderKustomization, ROOT, type K8sObject } from '../src/kustomize';

const APPS = ['gateway', 'catalog', 'payments', 'kyc', 'comms', 'affiliates'] as const;
type App = (typeof APPS)[number];
/** Apps that call providers on the internet: connection tests, payments, KYC, messages, affiliate postbacks. */
const CALLS_OUT: App[] = ['catalog', 'payments', 'kyc', 'comms', 'affiliates'];
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/** The kubernetes-models class for an object's apiVersion and kind; an unknown one is an error, never skipped. */
function modelOf(obj: K8sObject): new (data: K8sObject) => { validate(): void } {
  let group: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named by the object's apiVersion
    group = require(`kubernetes-models/${obj.apiVersion}`) as Record<string, unknown>;
  } catch {
    throw new Error(`unknown apiVersion ${obj.apiVersion} (${obj.kind} ${obj.metadata?.name})`);
  }
  const Model = group[obj.kind];
  if (typeof Model !== 'function')
    throw new Error(`unknown kind ${obj.apiVersion} ${obj.kind} (${obj.metadata?.name})`);
  return Model as new (data: K8sObject) => { validate(): void };
}
const validate = (obj: K8sObject) => new (modelOf(obj))(obj).validate();

const docs = renderKustomization();
const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const deployment = (app: App) => find('Deployment', app)!;
const podLabels = (app: App): Record<string, string> => deployment(app).spec.template.metadata.labels;
const container = (app: App): K8sObject =>
  deployment(app).spec.template.spec.containers.find((c: K8sObject) => c.name === app);
const selects = (selector: K8sObject | undefined, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e: K8sObject) => e.operator === 'In' && e.values.includes(labels[e.key]));

/** A container's env with envFrom ConfigMaps resolved (values only; secrets are not needed here). */
function envOf(app: App): Record<string, string> {
  const env: Record<string, string> = {};
  for (const src of container(app).envFrom ?? [])
    if (src.configMapRef) Object.assign(env, find('ConfigMap', src.configMapRef.name)?.data);
  for (const e of container(app).env ?? []) if ('value' in e) env[e.name] = String(e.value);
  return env;
}
const appPort = (app: App) => Number(app === 'gateway' ? envOf(app).PORT : envOf(app).HTTP_PORT);

// ---- network policies -----------------------------------------------------------------------------

const policies = ofKind('NetworkPolicy');
const policiesFor = (labels: Record<string, string>) => policies.filter((p) => selects(p.spec.podSelector, labels));
/** A port of a rule as a number: named ports are the pod's container port names. */
function portNumber(port: number | string, app: App | null): number {
  if (typeof port === 'number') return port;
  const named = app && (container(app).ports ?? []).find((p: K8sObject) => p.name === port);
  if (!named) throw new Error(`named port ${port} is not a port of ${app}`);
  return named.containerPort;
}
/** Peers that are addresses rather than pods of the cluster: an absent `from`/`to` (anyone) or an ipBlock. */
const outsidePeers = (peers: K8sObject[] | undefined) =>
  peers === undefined || peers.length === 0 || peers.some((p) => p.ipBlock);

function ingressFromOutside(app: App): number[] {
  return policiesFor(podLabels(app))
    .flatMap((p) => p.spec.ingress ?? [])
    .filter((r: K8sObject) => outsidePeers(r.from))
    .flatMap((r: K8sObject) =>
      (r.ports ?? [{ port: 'ALL' }]).map((x: K8sObject) => (x.port === 'ALL' ? -1 : portNumber(x.port, app))),
    );
}
function egressRules(app: App): K8sObject[] {
  return policiesFor(podLabels(app)).flatMap((p) => p.spec.egress ?? []);
}
const egressPorts = (rule: K8sObject) => (rule.ports ?? []).map((x: K8sObject) => `${x.protocol ?? 'TCP'}/${x.port}`);
const egressTo = (app: App, port: string) => egressRules(app).filter((r) => egressPorts(r).includes(port));

// ===================================================================================================

describe('the kubernetes-models schema check', () => {
  it('refuses an invalid object and an unknown kind, so a pass below means something', () => {
    const d = structuredClone(deployment('gateway'));
    expect(() => validate(d)).not.toThrow();
    d.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
    expect(() => validate(d)).toThrow(/containerPort/);
    expect(() => validate({ apiVersion: 'v1', kind: 'Servise', metadata: { name: 'x' } })).toThrow(
      /unknown kind v1 Servise/,
    );
    expect(() =>
      validate({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'x' } }),
    ).toThrow(/unknown apiVersion/);
  });
});

describe('deploy/k8s rendered by kubectl kustomize', () => {
  it('renders the namespace, NATS, every app, their budgets, autoscalers and network policies', () => {
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of [
      'Namespace',
      'ConfigMap',
      'Secret',
      'StatefulSet',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'NetworkPolicy',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it.each(docs.map((d) => [`${d.kind} ${d.metadata?.name}`, d] as const))(
    'validates %s against the Kubernetes schema',
    (_name, obj) => {
      expect(() => validate(obj)).not.toThrow();
    },
  );

  it.each(APPS)(
    'gives %s a PodDisruptionBudget over its pods and a CPU autoscaler (autoscaling/v2) on its Deployment',
    (app) => {
      const pdbs = ofKind('PodDisruptionBudget').filter((p) => selects(p.spec.selector, podLabels(app)));
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0].apiVersion).toBe('policy/v1');
      expect(pdbs[0].spec.minAvailable ?? pdbs[0].spec.maxUnavailable).toBeDefined();
      const hpas = ofKind('HorizontalPodAutoscaler').filter(
        (h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === app,
      );
      expect(hpas).toHaveLength(1);
      const hpa = hpas[0];
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef.apiVersion).toBe('apps/v1');
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      // a minAvailable equal to the minimum would block every voluntary eviction
      if (pdbs[0].spec.minAvailable !== undefined) expect(pdbs[0].spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toContainEqual({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } },
      });
      // utilisation is a share of the request: without one the autoscaler cannot compute it
      expect(container(app).resources?.requests?.cpu).toBeDefined();
    },
  );
});

describe('network policies', () => {
  it('deny everything by default, in both directions, in the namespace', () => {
    const deny = policies.filter((p) => Object.keys(p.spec.podSelector ?? {}).length === 0);
    expect(deny).toHaveLength(1);
    expect([...deny[0].spec.policyTypes].sort()).toEqual(['Egress', 'Ingress']);
    expect(deny[0].spec.ingress ?? []).toEqual([]);
    expect(deny[0].spec.egress ?? []).toEqual([]);
    for (const d of [...ofKind('Deployment'), ...ofKind('StatefulSet')])
      expect(d.metadata.namespace).toBe(deny[0].metadata.namespace);
  });

  it('let only the gateway take traffic from outside, on its HTTP port alone', () => {
    expect(ingressFromOutside('gateway')).toEqual([appPort('gateway')]);
    for (const app of APPS.filter((a) => a !== 'gateway'))
      expect({ app, ports: ingressFromOutside(app) }).toEqual({ app, ports: [] });
    const nats: Record<string, string> = find('StatefulSet', 'nats')!.spec.template.metadata.labels;
    const natsOutside = policiesFor(nats)
      .flatMap((p) => p.spec.ingress ?? [])
      .filter((r: K8sObject) => outsidePeers(r.from));
    expect(natsOutside).toEqual([]);
  });

  it.each(APPS)('let %s reach DNS, NATS and the trace collector, and never allow an egress without a port', (app) => {
    for (const port of ['UDP/53', 'TCP/53']) {
      expect(
        egressTo(app, port).some((r) =>
          r.to?.some((t: K8sObject) => t.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns'),
        ),
      ).toBe(true);
    }
    const natsPods = find('StatefulSet', 'nats')!.spec.template.metadata.labels;
    expect(
      egressTo(app, 'TCP/4222').some((r) =>
        r.to?.some((t: K8sObject) => !t.namespaceSelector && selects(t.podSelector, natsPods)),
      ),
    ).toBe(true);
    expect(
      egressTo(app, 'TCP/4318').some((r) =>
        r.to?.some((t: K8sObject) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'otel-collector'),
      ),
    ).toBe(true);
    for (const rule of egressRules(app)) expect(rule.ports?.length).toBeGreaterThan(0);
  });

  it.each(APPS.filter((a) => a !== 'gateway'))('let %s reach Postgres on 5432', (app) => {
    expect(egressTo(app, 'TCP/5432').length).toBeGreaterThan(0);
  });

  it('keep the gateway, which has no database, off Postgres', () => {
    expect(egressTo('gateway', 'TCP/5432')).toEqual([]);
  });

  it.each(CALLS_OUT)('let %s, which calls providers, out to public addresses on 443 only', (app) => {
    const https = egressTo(app, 'TCP/443');
    expect(https.length).toBeGreaterThan(0);
    for (const rule of https) {
      expect(egressPorts(rule)).toEqual(['TCP/443']);
      const v4 = rule.to.find((t: K8sObject) => t.ipBlock?.cidr === '0.0.0.0/0');
      expect(v4?.ipBlock?.except).toEqual(expect.arrayContaining(PRIVATE_RANGES));
    }
    // nothing else leaves the cluster: every other egress goes to pods, or is the Postgres port
    const outside = egressRules(app).filter((r) => outsidePeers(r.to));
    for (const rule of outside) expect(['TCP/443', 'TCP/5432']).toEqual(expect.arrayContaining(egressPorts(rule)));
  });

  it('give the gateway no way to the internet', () => {
    expect(egressTo('gateway', 'TCP/443')).toEqual([]);
    expect(egressRules('gateway').filter((r) => outsidePeers(r.to))).toEqual([]);
  });

  it('let NATS take its clients on 4222 from the apps and its routes on 6222 from its own pods', () => {
    const natsPods: Record<string, string> = find('StatefulSet', 'nats')!.spec.template.metadata.labels;
    const ingress: K8sObject[] = policiesFor(natsPods).flatMap((p) => p.spec.ingress ?? []);
    const on = (port: number) => ingress.filter((r) => (r.ports ?? []).some((x: K8sObject) => x.port === port));
    for (const app of APPS)
      expect({
        app,
        allowed: on(4222).some((r) =>
          r.from.some((f: K8sObject) => !f.namespaceSelector && selects(f.podSelector, podLabels(app))),
        ),
      }).toEqual({ app, allowed: true });
    expect(on(6222).some((r) => r.from.some((f: K8sObject) => selects(f.podSelector, natsPods)))).toBe(true);
    const egress: K8sObject[] = policiesFor(natsPods).flatMap((p) => p.spec.egress ?? []);
    expect(egress.some((r) => egressPorts(r).includes('TCP/6222'))).toBe(true);
  });
});

describe('images', () => {
  it("are named in the kustomization's images, one per app, so a registry and tag are set in one place", () => {
    const kustomization = readFileSync(join(ROOT, KUSTOMIZATION_DIR, 'kustomization.yaml'), 'utf8');
    for (const app of APPS) {
      const image = String(container(app).image);
      expect(image).toMatch(new RegExp(`^connect-platform/${app}:`));
      expect(kustomization).toContain(`- name: connect-platform/${app}\n`);
    }
  });

  it("are overridden by an overlay's images: registry and tag", () => {
    const dir = mkdtempSync(join(tmpdir(), 'overlay-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          `resources:\n  - ${relative(dir, resolve(ROOT, KUSTOMIZATION_DIR))}`, // kustomize takes no absolute base
          'images:',
          ...APPS.map(
            (a) => `  - name: connect-platform/${a}\n    newName: registry.example.com/cp/${a}\n    newTag: "9.9.9"`,
          ),
        ].join('\n'),
      );
      const overlaid = renderKustomization(dir);
      for (const app of APPS) {
        const c = overlaid
          .find((d) => d.kind === 'Deployment' && d.metadata.name === app)!
          .spec.template.spec.containers.find((x: K8sObject) => x.name === app);
        expect(c.image).toBe(`registry.example.com/cp/${app}:9.9.9`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NATS cluster and the event stream', () => {
  const sts = find('StatefulSet', 'nats')!;

  it('runs 3 JetStream nodes with their own storage, routed through a headless Service', () => {
    expect(sts.spec.replicas).toBe(3);
    const headless = find('Service', sts.spec.serviceName)!;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.selector).toEqual(sts.spec.selector.matchLabels);
    const conf = sts.spec.template.spec.volumes
      .map((v: K8sObject) => find('ConfigMap', v.configMap?.name))
      .find(Boolean)!.data['nats-cluster.conf'] as string;
    const routes = [...conf.matchAll(/nats:\/\/([^:\s]+):6222/g)].map((m) => m[1]);
    expect(routes).toEqual(
      [0, 1, 2].map(
        (i) => `${sts.metadata.name}-${i}.${headless.metadata.name}.${sts.metadata.namespace}.svc.cluster.local`,
      ),
    );
    const storeDir = /store_dir:\s*"([^"]+)"/.exec(conf)?.[1];
    const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: claim, mountPath: storeDir });
  });

  it.each(APPS.filter((a) => a !== 'gateway'))(
    'has %s keep the EVENTS stream on 3 replicas, one per NATS node',
    (app) => {
      expect(envOf(app).EVENTS_STREAM_REPLICAS).toBe('3');
      expect(Number(envOf(app).EVENTS_STREAM_REPLICAS)).toBeLessThanOrEqual(sts.spec.replicas);
    },
  );
});

describe('metrics port', () => {
  it.each(APPS)(
    "serves %s's /metrics on a `metrics` container port (METRICS_PORT, not its HTTP port) that Prometheus is told to scrape",
    (app) => {
      const metricsPort = Number(envOf(app).METRICS_PORT);
      expect(metricsPort).toBeGreaterThan(0);
      expect(metricsPort).not.toBe(appPort(app));
      expect(container(app).ports).toContainEqual({ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' });
      expect(deployment(app).spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(metricsPort),
        'prometheus.io/path': '/metrics',
      });
    },
  );

  it('is exposed by no Service: the public gateway Service carries only the HTTP port', () => {
    for (const app of APPS) {
      const svc = find('Service', app)!;
      for (const p of svc.spec.ports) {
        expect({ app, target: p.targetPort }).not.toEqual({ app, target: 'metrics' });
        expect(portNumber(p.targetPort ?? p.port, app)).not.toBe(Number(envOf(app).METRICS_PORT));
      }
    }
    expect(find('Service', 'gateway')!.spec.ports.map((p: K8sObject) => portNumber(p.targetPort, 'gateway'))).toEqual([
      appPort('gateway'),
    ]);
  });
});
