import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

import { nextTraceparent } from './context';

export { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry traces, exported over OTLP/HTTP (protobuf) when OTEL_EXPORTER_OTLP_ENDPOINT is set. Off
 * otherwise: no SDK module is even loaded, and every helper below takes its plain path.
 *
 * Must run before `http`, `pg` and `undici` are required (the first import of each main.ts), so that the
 * instrumentations hook them as they load. Modules already loaded (tests booting the platform in-process)
 * are passed as `preloaded` and patched directly.
 */
export interface TracingOptions {
  /** The app's name: service.name unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Modules already loaded in this process, patched in place: { http, https, pg }. */
  preloaded?: Record<string, unknown>;
  /** Replaces the OTLP batch processor (tests). */
  spanProcessor?: SpanProcessor;
}

export interface Tracing {
  serviceName: string;
  /** Exports the spans ended so far. */
  flush(): Promise<void>;
  /** Flushes, unhooks the instrumentations and unregisters the provider. */
  shutdown(): Promise<void>;
}

const TRACER = 'connect-platform';
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

let active: { tracing: Tracing; provider: NodeTracerProvider } | null = null;

class TracingConfigError extends Error {
  override name = 'ConfigError';
}

/** The configured tracing, or an explanation of what is wrong with the OTEL_* variables. */
export function tracingSettings(
  env: NodeJS.ProcessEnv,
  serviceName: string,
): {
  endpoint: string;
  serviceName: string;
  sampler: string;
  ratio: number;
} | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TracingConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, e.g. http://otel-collector:4318');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TracingConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, e.g. http://otel-collector:4318');
  }
  if (url.username || url.password)
    throw new TracingConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must not carry credentials');
  const sampler = (env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on').toLowerCase();
  if (!SAMPLERS.includes(sampler))
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new TracingConfigError('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1');
  const name = env.OTEL_SERVICE_NAME?.trim() || serviceName;
  return { endpoint: endpoint.replace(/\/+$/, ''), serviceName: name, sampler, ratio };
}

/**
 * Starts tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set; null (and nothing loaded)
 * otherwise. A second call returns the first one's tracing: a process has one provider.
 */
export function startTracing(opts: TracingOptions): Tracing | null {
  const settings = tracingSettings(opts.env ?? process.env, opts.serviceName);
  if (!settings) return null;
  if (active) return active.tracing;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only here, so a process without tracing never loads the SDK */
  const { NodeTracerProvider: Provider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const base = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { ATTR_SERVICE_NAME } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const ratio = new base.TraceIdRatioBasedSampler(settings.ratio);
  const root: Sampler = {
    always_on: new base.AlwaysOnSampler(),
    always_off: new base.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new base.AlwaysOnSampler(),
    parentbased_always_off: new base.AlwaysOffSampler(),
    parentbased_traceidratio: ratio,
  }[settings.sampler]!;
  const sampler = settings.sampler.startsWith('parentbased_') ? new base.ParentBasedSampler({ root }) : root;
  const processor =
    opts.spanProcessor ?? new base.BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces` }));
  const provider = new Provider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler,
    spanProcessors: [processor],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });

  // probes and scrapes: frequent and of no interest in a trace
  const quiet = new Set(['/health', '/metrics', '/livez', '/readyz']);
  const instrumentations: InstrumentationBase[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => quiet.has((req.url ?? '').split('?')[0]),
      // an incoming query's values (an e-mail, a phone number) are not kept: its parameter names are
      requestHook: (span, req) => {
        if ('setHeader' in req) return;
        const target = queryNamesOnly(req.url ?? '/');
        for (const [key, value] of [
          ['http.target', target],
          ['url.path', target.split('?')[0]],
          ['url.query', target.split('?')[1] ?? ''],
        ]) {
          overwrite(span, key, value);
        }
        const full = attributeOf(span, 'http.url') ?? attributeOf(span, 'url.full');
        if (typeof full === 'string')
          overwrite(span, attributeOf(span, 'http.url') !== undefined ? 'http.url' : 'url.full', queryNamesOnly(full));
      },
      // outgoing calls are traced by the undici instrumentation; only OTLP itself would use http here
      ignoreOutgoingRequestHook: () => true,
    }),
    new PgInstrumentation({ requireParentSpan: true }),
    // a provider call shows the URL its connector chose to show (Voiso's v1 API has the key in the path),
    // else its own, with query values dropped
    new UndiciInstrumentation({
      requestHook: (span, request) => {
        const shown = context.active().getValue(SHOWN_URL);
        const url = queryNamesOnly(typeof shown === 'string' ? shown : `${request.origin}${request.path}`);
        span.setAttribute('url.full', url);
        overwrite(span, 'url.path', url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0] || '/');
        overwrite(span, 'url.query', url.split('?')[1] ?? '');
      },
    }),
  ];
  const unregister = registerInstrumentations({ instrumentations, tracerProvider: provider });
  const patched: (() => void)[] = [];
  for (const inst of instrumentations) {
    for (const def of inst.getModuleDefinitions()) {
      const exports = opts.preloaded?.[def.name];
      if (exports && def.patch) {
        def.patch(exports);
        patched.push(() => def.unpatch?.(exports));
      }
    }
  }
  const tracing: Tracing = {
    serviceName: settings.serviceName,
    flush: () => provider.forceFlush(),
    async shutdown() {
      if (active?.tracing !== tracing) return;
      active = null;
      for (const undo of patched) undo();
      unregister();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
  active = { tracing, provider };
  return tracing;
}

/** Whether spans are being made in this process. */
const SHOWN_URL = createContextKey('connect-platform.shown-url');

/**
 * Runs `fn` so that the provider calls it makes show `shownUrl` in their spans instead of the URL
 * called: for a URL that carries a secret (Voiso's v1 key in the path). A no-op with tracing off.
 */
export function withShownUrl<T>(shownUrl: string, fn: () => T): T {
  if (!active) return fn();
  return context.with(context.active().setValue(SHOWN_URL, shownUrl), fn);
}

/** A URL or path with its query values dropped and its parameter names kept: `/a?email=x&y=1` -> `/a?email&y`. */
export function queryNamesOnly(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=')[0]);
  return names.length ? `${url.slice(0, at)}?${names.join('&')}` : url.slice(0, at);
}

function attributeOf(span: unknown, key: string): unknown {
  return (span as { attributes?: Record<string, unknown> }).attributes?.[key];
}

/** Replaces an attribute the instrumentation set; adds none it did not. */
function overwrite(span: { setAttribute(key: string, value: string): unknown }, key: string, value: string): void {
  if (attributeOf(span, key) !== undefined) span.setAttribute(key, value);
}

export function tracingEnabled(): boolean {
  return active !== null;
}

/** The trace id of the span active in this async context, when tracing is on. */
export function activeTraceId(): string | undefined {
  if (!active) return undefined;
  const sc = trace.getSpan(context.active())?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/** The OTel context a W3C traceparent (from NATS headers or an outbox row) names; the active one if none. */
export function contextFromTraceparent(traceparent: string | undefined | null): Context {
  if (!active || !traceparent) return context.active();
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/**
 * The traceparent for the next hop: the active span's when tracing is on, else a new span id in the
 * request's trace (so logs of both sides still share a trace id). Undefined when there is no trace.
 */
export function outgoingTraceparent(traceId: string | undefined): string | undefined {
  if (active) {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    if (carrier.traceparent) return carrier.traceparent;
  }
  return traceId ? nextTraceparent(traceId) : undefined;
}

export interface SpanOptions {
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent context (an extracted traceparent); the active context by default. */
  parent?: Context;
  /** Contexts the span is linked to rather than parented by (the messages of one consumer batch). */
  links?: Context[];
  /** Run `fn` with no span (and, below it, none of the instrumentations' spans that need a parent). */
  untraced?: boolean;
}

/**
 * Runs `fn` in a new span made current for its duration, ended when `fn` settles (a throw marks it
 * failed). Without tracing, `fn` runs as is with no span.
 */
export async function inSpan<T>(
  name: string,
  opts: SpanOptions,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!active || opts.untraced) return fn(undefined);
  const parent = opts.parent ?? context.active();
  const links = (opts.links ?? []).flatMap((c) => {
    const linked = trace.getSpanContext(c);
    return linked ? [{ context: linked }] : [];
  });
  const span = trace.getTracer(TRACER).startSpan(name, { kind: opts.kind, attributes: opts.attributes, links }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    // the error's kind only: a message may quote input
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
    throw err;
  } finally {
    span.end();
  }
}

/** Names the active HTTP server span by its route template (`POST /api/platform/kyc/applicants`). */
export function setHttpRoute(method: string, route: string): void {
  if (!active) return;
  const span = trace.getSpan(context.active());
  if (!span?.isRecording()) return;
  span.setAttribute('http.route', route);
  span.updateName(`${method} ${route}`);
}

/** Flushes and stops this process's tracing, if any (graceful shutdown). */
export async function shutdownTracing(): Promise<void> {
  await active?.tracing.shutdown().catch(() => undefined);
}

/** For each main.ts (first import): starts tracing, or exits 2 naming the OTEL_* variable that is wrong. */
export function startTracingOrExit(serviceName: string): void {
  try {
    startTracing({ serviceName });
  } catch (err) {
    process.stderr.write(`${serviceName}: Invalid configuration:\n  - ${(err as Error).message}\n`);
    process.exit(2);
  }
}
