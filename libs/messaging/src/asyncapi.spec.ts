import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { EntityManager } from 'typeorm';

import { eventPayloadSchemas, eventSubjects, type EventSubject, type LeadFtdEvent } from '@app/contracts';
import { newTraceId, runWithContext } from '@app/observability';

import { eventHeaders, OutboxWriter } from './outbox';

const DOCUMENT = join(__dirname, '../../../docs/asyncapi.yaml');

/** A schema as the TypeScript type sees it: no prose, no parser annotations, `required` in any order. */
function shape(schema: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => shape(s));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (!isPropertyMap && (k === 'description' || k === 'examples' || k.startsWith('x-parser-'))) continue;
    out[k] =
      k === 'required' && !isPropertyMap ? [...(v as string[])].sort() : shape(v, k === 'properties' && !isPropertyMap);
  }
  return out;
}

const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));

describe('docs/asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Awaited<ReturnType<Parser['parse']>>['diagnostics'];

  beforeAll(async () => {
    const parsed = await new Parser().parse(readFileSync(DOCUMENT, 'utf8'));
    diagnostics = parsed.diagnostics;
    if (!parsed.document) throw new Error(`docs/asyncapi.yaml does not parse: ${JSON.stringify(diagnostics)}`);
    document = parsed.document;
  });

  it('is a valid AsyncAPI 3.0 document without errors or warnings', () => {
    // severity 0 is an error, 1 a warning; 2 and 3 are information and hints
    expect(
      diagnostics.filter((d) => Number(d.severity) <= 1).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    expect(document.version()).toBe('3.0.0');
  });

  it('has one channel per event subject, named as in eventSubjects', () => {
    const channels = document.channels().all();
    expect(Object.fromEntries(channels.map((c) => [c.id(), c.address()]))).toEqual(eventSubjects);
    expect(new Set(channels.map((c) => c.address()))).toEqual(new Set(Object.keys(eventPayloadSchemas)));
  });

  it.each(Object.keys(eventPayloadSchemas) as EventSubject[])(
    'describes the payload of %s as EventMap types it',
    (subject) => {
      const channel = document
        .channels()
        .all()
        .find((c) => c.address() === subject);
      const messages = channel?.messages().all() ?? [];
      expect(messages).toHaveLength(1);
      expect(shape(messages[0].payload()?.json())).toEqual(shape(eventPayloadSchemas[subject]));
    },
  );

  it('gives every event the headers the outbox relay publishes', () => {
    const written = runWithContext({ requestId: 'req-1', traceId: newTraceId() }, () => eventHeaders());
    expect(Object.keys(written).sort()).toEqual(['traceparent', 'x-request-id']);
    const published = { ...written, 'Nats-Msg-Id': randomUUID() };
    for (const message of document.messages().all()) {
      const headers = message.headers()?.json<{ properties?: Record<string, unknown> }>() ?? {};
      expect(Object.keys(headers.properties ?? {}).sort()).toEqual(Object.keys(published).sort());
      const validate = ajv.compile(headers);
      expect({ message: message.id(), valid: validate(published), errors: validate.errors ?? [] }).toEqual({
        message: message.id(),
        valid: true,
        errors: [],
      });
      expect(validate({ ...published, 'Nats-Msg-Id': undefined })).toBe(false);
    }
  });

  it('has examples that conform to their schemas', () => {
    const schemas = document.components().schemas().all();
    const examples = schemas.flatMap((s) =>
      ((s.examples() ?? []) as unknown[]).map((example) => ({ schema: s, example })),
    );
    expect(examples.length).toBeGreaterThan(0);
    for (const { schema, example } of examples) {
      const validate = ajv.compile(schema.json());
      expect({ schema: schema.id(), errors: validate(example) ? [] : validate.errors }).toEqual({
        schema: schema.id(),
        errors: [],
      });
    }
  });

  it('lets OutboxWriter.add take only the payload of its subject, which the document accepts', async () => {
    const rows: { subject: string; payloads: string[] }[] = [];
    const manager = {
      queryRunner: { isTransactionActive: true },
      query: (_sql: string, [, subject, payloads]: [string[], string, string[]]) =>
        Promise.resolve(rows.push({ subject, payloads })),
    } as unknown as EntityManager;
    const ftd: LeadFtdEvent = {
      affiliate_id: 'aff-1',
      affiliate_lead_id: 'lead-1',
      customer_id: 'cust-1',
      country: 'DE',
      amount: 150,
      currency: 'EUR',
      ftd_at: new Date(0).toISOString(),
    };
    const outbox = new OutboxWriter();
    await outbox.add(manager, eventSubjects.affiliatesLeadFtd, ftd);
    // @ts-expect-error the payload of another subject (npm run typecheck fails when add stops refusing it)
    await outbox.add(manager, eventSubjects.affiliatesEndpointDisabled, ftd);

    const channel = document
      .channels()
      .all()
      .find((c) => c.address() === rows[0].subject);
    const validate = ajv.compile(channel?.messages().all()[0].payload()?.json() ?? false);
    expect(validate(JSON.parse(rows[0].payloads[0]))).toBe(true);
  });
});
