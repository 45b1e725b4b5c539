import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { inSpan, shutdownTracing, SpanKind, startTracing } from '@app/observability';

import { connector } from '../src/providers/voiso/voiso.connector';
import { VoisoFake } from '../src/providers/voiso/voiso.fake';

const KEY = 'fake-voiso-key-in-the-path-0004';
const WH_SECRET = 'fake-voiso-webhook-secret';

/** Spans leave the process (to a collector): a secret in a URL, or a query's values, must not be in them. */
describe('span attributes carry no secret and no query value (OTEL on, loopback)', () => {
  const exporter = new InMemorySpanExporter();
  const fake = new VoisoFake(KEY, WH_SECRET);
  let server: http.Server;
  let serverUrl: string;

  beforeAll(async () => {
    startTracing({
      serviceName: 'comms',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
      preloaded: { http, https },
      spanProcessor: new SimpleSpanProcessor(exporter),
    });
    await fake.start();
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fake.stop();
    await new Promise((r) => server.close(r));
    await shutdownTracing();
  });

  const valuesOf = (kind: SpanKind, scope: string) =>
    exporter
      .getFinishedSpans()
      .filter((s) => s.kind === kind && s.instrumentationScope.name.includes(scope))
      .map((s) => JSON.stringify(s.attributes));

  it('a Voiso click-to-call span shows the URL without the key in its path', async () => {
    const config = {
      credentials: { cluster: 'cc-ams03', api_key: KEY, webhook_secret: WH_SECRET },
      settings: { base_url: fake.baseUrl },
    };
    await inSpan('comms.calls.start process', { kind: SpanKind.SERVER }, () =>
      connector.voice!.call(
        config,
        { messageId: 'msg-1', to: '+442037691881', agent: '1002' },
        { timeoutMs: 5000, statusCallbackUrl: 'http://127.0.0.1:9/webhooks/voip/voiso' },
      ),
    );
    expect(fake.clicks).toHaveLength(1);
    const calls = valuesOf(SpanKind.CLIENT, 'undici');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('/api/v1/****/click2call');
    expect(calls[0]).not.toContain(KEY);
  });

  it('an incoming request span keeps the query parameter names, not their values', async () => {
    const res = await fetch(`${serverUrl}/payments/gateway?email=lead%40example.com&phone=442037691881`);
    expect(res.status).toBe(200);
    await res.text();
    // (the fake's own server spans, the provider's side, are not ours)
    const incoming = valuesOf(SpanKind.SERVER, 'http').filter((a) => a.includes('/payments/gateway'));
    expect(incoming.length).toBeGreaterThan(0);
    for (const attrs of incoming) {
      expect(attrs).toMatch(/email&phone/);
      expect(attrs).not.toContain('example.com');
      expect(attrs).not.toContain('442037691881');
    }
  });
});
