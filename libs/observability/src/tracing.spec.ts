import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import {
  activeTraceId,
  contextFromTraceparent,
  inSpan,
  outgoingTraceparent,
  SpanKind,
  startTracing,
  tracingEnabled,
  tracingSettings,
} from './tracing';

let mockSdkLoads = 0;
jest.mock('@opentelemetry/sdk-trace-node', () => {
  mockSdkLoads++;
  return jest.requireActual<typeof import('@opentelemetry/sdk-trace-node')>('@opentelemetry/sdk-trace-node');
});

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('tracing off (OTEL_EXPORTER_OTLP_ENDPOINT unset)', () => {
  it('starts nothing: no SDK loaded, no span made, the plain trace id still travels', async () => {
    expect(startTracing({ serviceName: 'kyc', env: {} })).toBeNull();
    expect(
      startTracing({ serviceName: 'kyc', env: { OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_TRACES_SAMPLER: 'nonsense' } }),
    ).toBeNull();
    expect(mockSdkLoads).toBe(0);
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    let seen: unknown = 'unset';
    await inSpan('op', { kind: SpanKind.CLIENT }, (span) => {
      seen = span;
      return Promise.resolve();
    });
    expect(seen).toBeUndefined();
    expect(activeTraceId()).toBeUndefined();
    expect(outgoingTraceparent(TRACE)).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(outgoingTraceparent(undefined)).toBeUndefined();
  });
});

describe('tracing settings', () => {
  it('refuses a malformed endpoint, sampler or ratio, naming the variable', () => {
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318x' }, 'kyc')).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://127.0.0.1' }, 'kyc')).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://u:secret-pw@127.0.0.1:4318' }, 'kyc')).toThrow(
      /must not carry credentials/,
    );
    expect(() =>
      tracingSettings(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER: 'sometimes' },
        'kyc',
      ),
    ).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() =>
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_SAMPLER_ARG: '2' }, 'kyc'),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    try {
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://u:secret-pw@127.0.0.1:4318' }, 'kyc');
    } catch (err) {
      expect((err as Error).name).toBe('ConfigError');
      expect((err as Error).message).not.toContain('secret-pw');
    }
  });

  it('defaults service.name to the app and the sampler to parentbased_always_on', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }, 'kyc')).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      serviceName: 'kyc',
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
    expect(
      tracingSettings(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
          OTEL_SERVICE_NAME: 'kyc-eu',
          OTEL_TRACES_SAMPLER: 'traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
        },
        'kyc',
      ),
    ).toEqual({ endpoint: 'http://127.0.0.1:4318', serviceName: 'kyc-eu', sampler: 'traceidratio', ratio: 0.25 });
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  it('makes spans that continue an incoming traceparent and hand their own to the next hop', async () => {
    const tracing = startTracing({
      serviceName: 'kyc',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      spanProcessor: new SimpleSpanProcessor(exporter),
    });
    expect(tracing).not.toBeNull();
    expect(mockSdkLoads).toBe(1);
    expect(tracingEnabled()).toBe(true);
    const incoming = `00-${TRACE}-00f067aa0ba902b7-01`;
    let next: string | undefined;
    await inSpan(
      'kyc.applicant.create process',
      { kind: SpanKind.SERVER, parent: contextFromTraceparent(incoming) },
      async () => {
        expect(activeTraceId()).toBe(TRACE);
        await inSpan('kyc.applicant.fetch request', { kind: SpanKind.CLIENT }, () => {
          next = outgoingTraceparent('ffffffffffffffffffffffffffffffff');
          return Promise.resolve();
        });
      },
    );
    await expect(
      inSpan('failing', { kind: SpanKind.INTERNAL }, () => Promise.reject(new TypeError('bad input 4111111111111111'))),
    ).rejects.toThrow(TypeError);
    let untracedSpan: unknown = 'unset';
    await inSpan('probe', { kind: SpanKind.SERVER, untraced: true }, (span) => {
      untracedSpan = span;
      return Promise.resolve();
    });
    expect(untracedSpan).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).not.toContain('probe');
    const server = spans.find((s) => s.name === 'kyc.applicant.create process')!;
    const client = spans.find((s) => s.name === 'kyc.applicant.fetch request')!;
    const failing = spans.find((s) => s.name === 'failing')!;
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(next).toBe(`00-${TRACE}-${client.spanContext().spanId}-01`);
    expect(failing.status).toEqual({ code: 2, message: 'TypeError' });
    expect(JSON.stringify(failing.events)).not.toContain('4111');
    expect(server.resource.attributes['service.name']).toBe('kyc');
    await tracing!.shutdown();
    expect(tracingEnabled()).toBe(false);
  });
});
