import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
// the exporter's own minimal protobuf reader (no generated OTLP classes ship with it)
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** OTLP span kinds (opentelemetry/proto/trace/v1/trace.proto). */
export const OtlpSpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  /** Instrumentation scope, e.g. @opentelemetry/instrumentation-http. */
  scope: string;
  /** service.name of the resource. */
  service: string;
  /** String, integer and boolean attributes. */
  attributes: Record<string, string | number | boolean>;
  status: { code: number; message: string };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Reads each field of one message: `on(field, wireType, reader)` must consume (or skip) it. */
function fields(buf: Uint8Array, on: (field: number, wire: number, r: ProtobufReader) => boolean | void): void {
  const r = new ProtobufReader(buf);
  while (!r.isAtEnd()) {
    const { fieldNumber, wireType } = r.readTag();
    if (on(fieldNumber, wireType, r) !== true) r.skip(wireType);
  }
}

function keyValue(buf: Uint8Array): [string, string | number | boolean | undefined] {
  let key = '';
  let value: string | number | boolean | undefined;
  fields(buf, (f, w, r) => {
    if (f === 1) {
      key = r.readString();
      return true;
    }
    if (f !== 2) return false;
    fields(r.readBytes(), (vf, vw, vr) => {
      if (vf === 1) {
        value = vr.readString();
        return true;
      }
      if (vf === 2 && vw === 0) {
        value = vr.readVarint() !== 0;
        return true;
      }
      if (vf === 3 && vw === 0) {
        value = vr.readVarint();
        return true;
      }
      return false;
    });
    return true;
  });
  return [key, value];
}

function attributesInto(target: Record<string, string | number | boolean>, buf: Uint8Array): void {
  const [k, v] = keyValue(buf);
  if (v !== undefined) target[k] = v;
}

/** Decodes an ExportTraceServiceRequest into flat spans. */
export function decodeExportTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  fields(body, (f, _w, r) => {
    if (f !== 1) return false; // resource_spans
    let service = '';
    const scopeSpans: Uint8Array[] = [];
    fields(r.readBytes(), (rf, _rw, rr) => {
      if (rf === 1) {
        const attrs: Record<string, string | number | boolean> = {};
        fields(rr.readBytes(), (af, _aw, ar) => {
          if (af !== 1) return false;
          attributesInto(attrs, ar.readBytes());
          return true;
        });
        service = String(attrs['service.name'] ?? '');
        return true;
      }
      if (rf === 2) {
        scopeSpans.push(rr.readBytes());
        return true;
      }
      return false;
    });
    for (const ss of scopeSpans) {
      let scope = '';
      const spans: Uint8Array[] = [];
      fields(ss, (sf, _sw, sr) => {
        if (sf === 1) {
          fields(sr.readBytes(), (nf, _nw, nr) => {
            if (nf !== 1) return false;
            scope = nr.readString();
            return true;
          });
          return true;
        }
        if (sf === 2) {
          spans.push(sr.readBytes());
          return true;
        }
        return false;
      });
      for (const s of spans) {
        const span: ReceivedSpan = {
          traceId: '',
          spanId: '',
          parentSpanId: '',
          name: '',
          kind: 0,
          scope,
          service,
          attributes: {},
          status: { code: 0, message: '' },
        };
        fields(s, (pf, pw, pr) => {
          switch (pf) {
            case 1:
              span.traceId = hex(pr.readBytes());
              return true;
            case 2:
              span.spanId = hex(pr.readBytes());
              return true;
            case 4:
              span.parentSpanId = hex(pr.readBytes());
              return true;
            case 5:
              span.name = pr.readString();
              return true;
            case 6:
              if (pw !== 0) return false;
              span.kind = pr.readVarint();
              return true;
            case 9:
              attributesInto(span.attributes, pr.readBytes());
              return true;
            case 15:
              fields(pr.readBytes(), (tf, tw, tr) => {
                if (tf === 2) {
                  span.status.message = tr.readString();
                  return true;
                }
                if (tf === 3 && tw === 0) {
                  span.status.code = tr.readVarint();
                  return true;
                }
                return false;
              });
              return true;
            default:
              return false;
          }
        });
        out.push(span);
      }
    }
    return true;
  });
  return out;
}

/** An in-process OTLP/HTTP collector on 127.0.0.1: accepts protobuf POST /v1/traces and keeps the spans. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        try {
          const raw = Buffer.concat(chunks);
          this.spans.push(
            ...decodeExportTraceRequest(req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw),
          );
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * The OTLP/proto exporter's request, serialised by its own serializer and POSTed to `url`/v1/traces with
 * node:http. For jest only: the stock exporter loads `http` with a dynamic import(), which jest refuses
 * without --experimental-vm-modules.
 */
export class OtlpTestExporter implements SpanExporter {
  constructor(private readonly url: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const body = ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array();
    const req = request(
      `${this.url}/v1/traces`,
      { method: 'POST', headers: { 'content-type': 'application/x-protobuf' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          done({ code: res.statusCode === 200 ? ExportResultCode.SUCCESS : ExportResultCode.FAILED }),
        );
      },
    );
    req.on('error', (error) => done({ code: ExportResultCode.FAILED, error }));
    req.end(body);
  }

  async shutdown(): Promise<void> {
    /* nothing held */
  }
}
