import { randomUUID } from 'node:crypto';

import {
  headers as natsHeaders,
  NoRespondersError,
  RequestError,
  TimeoutError,
  type NatsConnection,
} from '@nats-io/transport-node';

import {
  DomainError,
  ErrorCode,
  Headers as H,
  type ReplyEnvelope,
  type ReplyOf,
  type RequestOf,
  type RequestSubject,
} from '@app/contracts';
import {
  currentContext,
  inSpan,
  LabelledHistogram,
  outgoingTraceparent,
  SpanKind,
  type Metrics,
  type RequestContext,
} from '@app/observability';

import { prefixed } from './nats';

export interface RequestOptions {
  timeoutMs?: number;
  ctx?: RequestContext;
}

export interface BusClientOptions {
  nc: NatsConnection;
  prefix: string;
  /** Default timeout of every request; NestJS's own NATS client has none (a dead handler hangs its caller). */
  timeoutMs: number;
  metrics?: Metrics;
}

/**
 * Request-reply client over nats.js's shared-inbox request path (one subscription for all requests,
 * where the stock ClientNats opens one per request). Typed by the RequestMap of libs/contracts.
 * Failures arrive as DomainErrors: TIMEOUT when nobody answers in time, SERVICE_UNAVAILABLE when no
 * replica listens or NATS is down, or the remote service's own error envelope.
 */
export class BusClient {
  private readonly clientDuration?: LabelledHistogram<'subject' | 'outcome'>;

  constructor(private readonly opts: BusClientOptions) {
    if (opts.metrics) this.clientDuration = new LabelledHistogram(opts.metrics.natsClientDuration);
  }

  /**
   * `ctx` carries the request id, trace and caller onward; without it the current async context is
   * used (services run handlers inside one; the gateway passes its request's context explicitly).
   */
  async request<S extends RequestSubject>(
    subject: S,
    data: RequestOf<S>,
    options: RequestOptions = {},
  ): Promise<ReplyOf<S>> {
    return this.requestRaw(subject, data, options) as Promise<ReplyOf<S>>;
  }

  /** Untyped form, for generic forwarding; prefer request(). */
  async requestRaw(subject: string, data: unknown, options: RequestOptions = {}): Promise<unknown> {
    const timeout = options.timeoutMs ?? this.opts.timeoutMs;
    const h = natsHeaders();
    const ctx = options.ctx ?? currentContext();
    h.set(H.requestId, ctx?.requestId ?? randomUUID());
    if (ctx?.actor) h.set(H.actor, ctx.actor);
    if (ctx?.scope) h.set(H.scope, ctx.scope);
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    return inSpan(
      `${subject} request`,
      { kind: SpanKind.CLIENT, attributes: natsAttributes(subject) },
      async (span) => {
        const traceparent = outgoingTraceparent(ctx?.traceId);
        if (traceparent) h.set(H.traceparent, traceparent);
        try {
          const msg = await this.opts.nc
            .request(prefixed(this.opts.prefix, subject), JSON.stringify(data ?? {}), { timeout, headers: h })
            .catch((err: unknown) => {
              throw mapTransportError(err, subject, timeout);
            });
          const reply = msg.json<ReplyEnvelope<unknown>>();
          if (!reply.ok) throw DomainError.fromEnvelope(reply.error);
          return reply.data;
        } catch (err) {
          outcome = err instanceof DomainError ? err.code : 'error';
          span?.setAttribute('error.type', outcome);
          throw err;
        } finally {
          this.clientDuration?.observe(
            `${outcome} ${subject}`,
            { subject, outcome },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        }
      },
    );
  }
}

/** OTel messaging attributes of a NATS request (the subject without the deployment's prefix). */
export function natsAttributes(subject: string): Record<string, string> {
  return { 'messaging.system': 'nats', 'messaging.destination.name': subject };
}

function mapTransportError(err: unknown, subject: string, timeout: number): DomainError {
  const service = subject.split('.')[0];
  if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
    return new DomainError(ErrorCode.Unavailable, `The ${service} service is not available`);
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return new DomainError(ErrorCode.Timeout, `The ${service} service did not answer within ${timeout} ms`);
  }
  return new DomainError(ErrorCode.Unavailable, `The message bus is not reachable`);
}
