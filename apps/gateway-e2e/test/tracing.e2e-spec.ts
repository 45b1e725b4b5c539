import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';

import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as pg from 'pg';

import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import { startTracing, type Tracing } from '@app/observability';
import { eventually, OtlpSpanKind as Kind, OtlpReceiver, OtlpTestExporter, type ReceivedSpan } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const CREDS = {
  app_token: 'sbx:e2e-app-token-0001',
  secret_key: 'e2e-secret-key-abcdef',
  webhook_secret: 'e2e-webhook-secret-123456',
};

/**
 * The platform in this process with tracing on, exporting over OTLP/proto to an in-process collector.
 * In-process, `http` and `pg` are loaded before the SDK starts, so they are handed to it to be patched
 * (a real process starts tracing in the first import of main.ts instead).
 */
describe('traces (OTLP to an in-process collector; real NATS and Postgres, the SumSub fake)', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let fake: SumsubFake;
  let p: Platform;

  const spanById = () => new Map(receiver.spans.map((s) => [s.spanId, s]));
  /** The span's ancestors, nearest first. */
  const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
    const byId = spanById();
    const out: ReceivedSpan[] = [];
    for (let s = byId.get(span.parentSpanId); s; s = byId.get(s.parentSpanId)) out.push(s);
    return out;
  };
  const parentOf = (span: ReceivedSpan) => spanById().get(span.parentSpanId);
  const httpServerSpan = (path: string) =>
    receiver.spans.find(
      (s) =>
        s.kind === Kind.SERVER &&
        s.scope.includes('instrumentation-http') &&
        String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '').startsWith(path),
    );
  /** Flushes until `probe` finds what it looks for (spans end after the answer, consumers run later). */
  const flushUntil = <T>(what: string, probe: () => T | undefined) =>
    eventually(what, async () => {
      await tracing.flush();
      return probe();
    });

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    // debug: the services log each NATS request they handle
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LOG_LEVEL: 'debug' };
    // the stock exporter's dynamic import() of http is refused by jest: the same protobuf, posted with node:http
    const spanProcessor = new BatchSpanProcessor(new OtlpTestExporter(receiver.url), { scheduledDelayMillis: 100 });
    tracing = startTracing({ serviceName: 'platform-e2e', env, preloaded: { http, https, pg }, spanProcessor })!;
    expect(tracing).not.toBeNull();
    fake = await new SumsubFake({
      appToken: CREDS.app_token,
      secretKey: CREDS.secret_key,
      webhookSecret: CREDS.webhook_secret,
    }).start();
    p = await startPlatform({ services: ['catalog', 'kyc'], env });
    const activated = await p.api('/api/platform/integrations/providers/sumsub/activate', {
      method: 'POST',
      json: { credentials: CREDS, settings: { base_url: fake.baseUrl } },
    });
    expect(activated.status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await fake?.stop();
    await tracing?.shutdown();
    await receiver?.stop();
  });

  it('shows one trace from the gateway HTTP span through the NATS request to the provider call and the database', async () => {
    const customerId = randomUUID();
    const res = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: customerId, email: 'lead@example.com' },
    });
    expect(res.status).toBe(200);
    const { provider_id: applicantId } = (await res.json()) as { provider_id: string };

    const gateway = await flushUntil('gateway HTTP server span', () => httpServerSpan('/api/platform/kyc/applicants'));
    expect(gateway).toMatchObject({
      name: 'POST /api/platform/kyc/applicants',
      attributes: expect.objectContaining({ 'http.route': '/api/platform/kyc/applicants' }),
    });
    const natsServer = await flushUntil('kyc NATS server span', () =>
      receiver.spans.find(
        (s) =>
          s.kind === Kind.SERVER &&
          s.scope === 'connect-platform' &&
          s.traceId === gateway.traceId &&
          s.name.startsWith('kyc.'),
      ),
    );
    const natsClient = parentOf(natsServer)!;
    expect(natsClient).toMatchObject({ kind: Kind.CLIENT, scope: 'connect-platform', traceId: gateway.traceId });
    expect(natsClient.attributes['messaging.system']).toBe('nats');
    expect(natsClient.name).toBe(natsServer.name.replace(/ process$/, ' request'));
    // the client span is made in the gateway while it serves the HTTP request
    expect(ancestors(natsClient)).toContainEqual(gateway);

    const providerCall = await flushUntil('provider HTTP client span', () =>
      receiver.spans.find(
        (s) =>
          s.kind === Kind.CLIENT &&
          s.scope.includes('instrumentation-undici') &&
          s.traceId === gateway.traceId &&
          String(s.attributes['url.full'] ?? '').startsWith(`${fake.baseUrl}/resources/applicants`),
      ),
    );
    expect(ancestors(providerCall)).toContainEqual(natsServer);
    // the fake received the call with the provider span's own traceparent
    const atFake = fake.requests.find((q) => q.method === 'POST' && q.path.startsWith('/resources/applicants'))!;
    expect(atFake.headers.traceparent).toBe(`00-${gateway.traceId}-${providerCall.spanId}-01`);

    const query = await flushUntil('kyc Postgres span', () =>
      receiver.spans.find(
        (s) =>
          s.scope.includes('instrumentation-pg') &&
          s.kind === Kind.CLIENT &&
          s.traceId === gateway.traceId &&
          ancestors(s).includes(natsServer),
      ),
    );
    expect(query.attributes['db.system'] ?? query.attributes['db.system.name']).toBe('postgresql');
    expect(applicantId).toBeTruthy();

    // the trace id in the logs of the processes on the way (kyc asks catalog for its config) is the OTel trace id
    const logged = p.logs.entries().filter((l) => l.trace_id === gateway.traceId);
    expect([...new Set(logged.map((l) => l.service))].sort()).toEqual(['catalog', 'gateway', 'kyc']);
  });

  it('continues the trace over an event: outbox publish (producer) and the durable consumer (consumer)', async () => {
    const customerId = randomUUID();
    const created = await p.api('/api/platform/kyc/applicants', {
      method: 'POST',
      json: { customer_id: customerId, email: 'lead@example.com' },
    });
    const { provider_id: applicantId } = (await created.json()) as { provider_id: string };
    fake.setApplicantInfo(applicantId, {
      idDocs: [{ idDocType: 'PASSPORT', country: 'GBR', validUntil: '2035-06-30' }],
      dob: '1990-05-05',
    });
    fake.completeReview(applicantId, 'GREEN');
    const hook = fake.webhookFor(applicantId);
    const res = await fetch(`${p.gateway.url}/webhooks/kyc/sumsub`, {
      method: 'POST',
      body: hook.body,
      headers: hook.headers,
    });
    expect(res.status).toBe(200);

    const gateway = await flushUntil('webhook HTTP server span', () => httpServerSpan('/webhooks/kyc/sumsub'));
    const consumer = await flushUntil('kyc webhook consumer span', () =>
      receiver.spans.find(
        (s) =>
          s.kind === Kind.CONSUMER &&
          s.traceId === gateway.traceId &&
          s.attributes['messaging.consumer.group.name'] === 'kyc-webhook-processor',
      ),
    );
    expect(consumer.name).toBe('evt.kyc.webhook.recorded process');
    const producer = parentOf(consumer)!;
    expect(producer).toMatchObject({
      kind: Kind.PRODUCER,
      name: 'evt.kyc.webhook.recorded publish',
      traceId: gateway.traceId,
    });
    expect(producer.attributes['messaging.message.id']).toBe(consumer.attributes['messaging.message.id']);
    // the producer's parent is the kyc NATS server span that wrote the outbox row, under the webhook's HTTP span
    const writer = parentOf(producer)!;
    expect(writer).toMatchObject({ kind: Kind.SERVER, scope: 'connect-platform' });
    expect(ancestors(writer)).toContainEqual(gateway);
    // the consumer's own work (the applicant fetch at the provider) is in the same trace, below the consumer span
    const fetchApplicant = await flushUntil('consumer provider call', () =>
      receiver.spans.find(
        (s) =>
          s.scope.includes('instrumentation-undici') &&
          String(s.attributes['url.full'] ?? '').includes(`/resources/applicants/${applicantId}/one`) &&
          ancestors(s).includes(consumer),
      ),
    );
    expect(fetchApplicant.traceId).toBe(gateway.traceId);
  });
});
