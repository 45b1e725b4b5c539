import { randomUUID } from 'node:crypto';

import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { isObservable, lastValueFrom } from 'rxjs';

import { Headers as H, type ReplyEnvelope } from '@app/contracts';
import {
  activeTraceId,
  contextFromTraceparent,
  inSpan,
  LabelledHistogram,
  runWithContext,
  SpanKind,
  SpanStatusCode,
  traceIdOf,
  type Metrics,
} from '@app/observability';

import { natsAttributes } from './bus-client';
import { toErrorEnvelope } from './errors';
import { GATEWAY_VALIDATED_SUBJECTS, markGatewayValidated } from './gateway-validated';
import { prefixed } from './nats';

export interface NatsRpcServerOptions {
  nc: NatsConnection;
  prefix: string;
  /** Queue group: every replica of a service joins the same one, so requests are shared. */
  queue: string;
  logger: Logger;
  metrics: Metrics;
  /**
   * Take the payloads of GATEWAY_VALIDATED_SUBJECTS as the gateway validated them (the validation pipe
   * skips them). Only when NATS enforces deploy/nats/users.conf, i.e. the service logs in (NATS_USER):
   * see gateway-validated.ts for the trust decision. Off by default.
   */
  trustGatewayValidation?: boolean;
}

/**
 * NestJS transport strategy on core NATS request-reply. Compared with the stock ServerNats it adds the
 * subject prefix, JSON envelopes ({ok,data}|{ok,error}), the request id header in the log context, per-
 * subject metrics and a drain that waits for in-flight handlers (graceful shutdown).
 */
export class NatsRpcServer extends Server implements CustomTransportStrategy {
  private readonly subs: Subscription[] = [];
  private inflight = 0;
  private idle: (() => void) | null = null;
  private readonly handlerDuration: LabelledHistogram<'subject' | 'outcome'>;

  constructor(private readonly opts: NatsRpcServerOptions) {
    super();
    this.handlerDuration = new LabelledHistogram(opts.metrics.natsHandlerDuration);
  }

  listen(callback: (...args: unknown[]) => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) continue; // durable events go through JetStream consumers, not core NATS
      const subject = prefixed(this.opts.prefix, pattern);
      const sub = this.opts.nc.subscribe(subject, {
        queue: this.opts.queue,
        callback: (err, msg) => {
          if (err) return this.opts.logger.error({ err, subject }, 'subscription error');
          void this.handle(pattern, handler, msg);
        },
      });
      this.subs.push(sub);
    }
    callback();
  }

  private async handle(pattern: string, handler: MessageHandler, msg: Msg): Promise<void> {
    this.inflight++;
    const started = process.hrtime.bigint();
    const requestId = msg.headers?.get(H.requestId) || randomUUID();
    const actor = msg.headers?.get(H.actor) || undefined;
    const scope = msg.headers?.get(H.scope) || undefined;
    const traceparent = msg.headers?.get(H.traceparent);
    let reply: ReplyEnvelope<unknown>;
    const parent = contextFromTraceparent(traceparent);
    // readiness probes (`<svc>.system.health`, asked by the gateway's /readyz) are not traced, like /readyz
    const untraced = pattern.endsWith('.system.health');
    const trusted = this.opts.trustGatewayValidation === true && GATEWAY_VALIDATED_SUBJECTS.has(pattern);
    await inSpan(
      `${pattern} process`,
      { kind: SpanKind.SERVER, parent, untraced, attributes: natsAttributes(pattern) },
      (span) =>
        runWithContext({ requestId, actor, scope, traceId: activeTraceId() ?? traceIdOf(traceparent) }, async () => {
          try {
            const data = msg.data.length ? msg.json<unknown>() : {};
            if (trusted) markGatewayValidated(data);
            // what transformToObservable + lastValueFrom answer, without an observable for a plain (async) value
            let result: unknown = await await handler(data);
            if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: null });
            reply = { ok: true, data: result ?? null };
          } catch (err) {
            reply = { ok: false, error: toErrorEnvelope(err) };
          }
          const outcome = reply.ok ? 'ok' : reply.error.code;
          if (!reply.ok) span?.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          this.handlerDuration.observe(`${outcome} ${pattern}`, { subject: pattern, outcome }, seconds);
          this.opts.logger.debug({ subject: pattern, outcome, duration_ms: seconds * 1000 }, 'nats request handled');
          if (msg.reply) msg.respond(JSON.stringify(reply));
        }),
    );
    this.inflight--;
    if (this.inflight === 0 && this.idle) this.idle();
  }

  /** Stops taking new requests (queue-group peers take them) and waits for those in flight. */
  async close(): Promise<void> {
    await Promise.all(this.subs.splice(0).map((s) => s.drain().catch(() => undefined)));
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
  }

  on(): void {
    /* status events are not exposed by this transport */
  }

  unwrap<T>(): T {
    return this.opts.nc as T;
  }
}
