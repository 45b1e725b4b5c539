import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';

import { DomainError, ErrorCode } from '@app/contracts';
import { BusClient, type BusClientOptions, type RequestOptions } from '@app/messaging';
import type { Metrics } from '@app/observability';

import { problem, PROBLEM_CONTENT_TYPE } from './problem';

/** Seconds a shed client is told to wait (Retry-After): the overload is short-lived or it is an outage. */
export const RETRY_AFTER_OVERLOADED_S = 1;
export const RETRY_AFTER_BUS_DOWN_S = 5;
/** A 503 relayed from a service (its Postgres is unreachable, no replica answers). */
export const RETRY_AFTER_UNAVAILABLE_S = 5;

/** How often under-pressure samples the event-loop delay (its mean over the period is compared). */
const EVENT_LOOP_SAMPLE_MS = 1000;

export type ShedReason = 'in_flight' | 'event_loop_delay' | 'bus_down' | 'rate_limit';

export interface OverloadLimits {
  /** Requests served at once past which new ones get 503; 0 = no limit. */
  maxInFlight: number;
  /** Mean event-loop delay (ms, sampled every second) past which new requests get 503; 0 = off. */
  maxEventLoopDelayMs: number;
  /** Requests per minute per platform key on /api/platform/**; 0 = off. */
  rateLimitPerMinute: number;
}

/**
 * Never shed: orchestrators and scrapers must see the gateway as it is (overloaded or cut off from NATS),
 * and the API description costs nothing.
 */
export function isExempt(path: string): boolean {
  return (
    path === '/livez' ||
    path === '/readyz' ||
    path === '/health' ||
    path === '/metrics' ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    path === '/docs-json'
  );
}

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0];
}

/** Whether a request's path (raw or decoded, see pipeline.ts needsKey) is under /api/platform. */
export function isPlatformApi(req: FastifyRequest): boolean {
  const raw = pathOf(req);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    /* undecodable: judged on the raw path; refused later anyway */
  }
  const under = (p: string) => p === '/api/platform' || p.startsWith('/api/platform/');
  return under(raw) || under(decoded) || under(req.routeOptions?.url ?? '');
}

/**
 * Tracks whether the NATS link is up from the connection's status iterator: `disconnect` and
 * `reconnecting` mark it down at once, `reconnect` up again; `close` for good.
 */
export class BusLink {
  private up = true;
  private readonly downListeners = new Set<() => void>();

  constructor(nc: NatsConnection, logger: Logger) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting' || s.type === 'close') {
          if (this.up && s.type !== 'close')
            logger.warn({ status: s.type }, 'NATS link down: requests that need the bus get 503 at once');
          this.markDown();
        } else if (s.type === 'reconnect') {
          if (!this.up) logger.info('NATS link back up');
          this.up = true;
        }
      }
    })().catch(() => undefined);
    void nc.closed().then(() => this.markDown());
  }

  isUp(): boolean {
    return this.up;
  }

  /** Calls `listener` once, when the link next goes down; returns a function that cancels it. */
  onDown(listener: () => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  private markDown(): void {
    this.up = false;
    const listeners = [...this.downListeners];
    this.downListeners.clear();
    for (const l of listeners) l();
  }
}

const busDown = () =>
  new DomainError(ErrorCode.Unavailable, 'The gateway has lost its link to the message bus; retry shortly');

/**
 * The gateway's bus client: a request made while the NATS link is down, or waiting on it when it drops,
 * fails at once with SERVICE_UNAVAILABLE (503, Retry-After) instead of a 504 after the request timeout:
 * a reply sent while the link is down never arrives.
 */
export class LinkAwareBusClient extends BusClient {
  constructor(
    opts: BusClientOptions,
    private readonly link: BusLink,
  ) {
    super(opts);
  }

  override async requestRaw(subject: string, data: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (!this.link.isUp()) throw busDown();
    let cancel: () => void = () => undefined;
    const down = new Promise<never>((_resolve, reject) => {
      cancel = this.link.onDown(() => reject(busDown()));
    });
    try {
      return await Promise.race([super.requestRaw(subject, data, options), down]);
    } finally {
      cancel();
    }
  }
}

function shed(
  reply: FastifyReply,
  status: number,
  retryAfterS: number,
  detail: string,
  requestId?: string,
): FastifyReply {
  return reply
    .status(status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('retry-after', String(retryAfterS))
    .send(problem(status, detail, { requestId }));
}

/**
 * Load shedding, decided in onRequest right after the pipeline's hook (request id, key check), before
 * the body is read or anything reaches the bus: a provider's webhook gets a fast 503 (it retries)
 * rather than a 200 too late. Requests beyond `maxInFlight` and every non-exempt request while the NATS
 * link is down are refused here; the event-loop delay check is @fastify/under-pressure's hook, next.
 * Install after installPipeline.
 */
export function installShedding(
  fastify: FastifyInstance,
  deps: { limits: OverloadLimits; metrics: Metrics; bus: BusLink },
): Counter<'reason'> {
  const { limits, bus } = deps;
  const shedTotal = new Counter({
    name: 'gateway_requests_shed_total',
    help: 'Requests the gateway refused before doing any work, by reason',
    labelNames: ['reason'],
    registers: [deps.metrics.registry],
  });
  for (const reason of ['in_flight', 'event_loop_delay', 'bus_down', 'rate_limit'] satisfies ShedReason[])
    shedTotal.inc({ reason }, 0);
  let inFlight = 0;
  // With no in-flight limit (0) nothing reads the count: no counter, no 'close' listener per request.
  const countInFlight = limits.maxInFlight > 0;
  const onClose = (): void => {
    inFlight--;
  };

  fastify.addHook('onRequest', (req, reply, done) => {
    if (isExempt(pathOf(req))) return done();
    if (countInFlight && inFlight >= limits.maxInFlight) {
      shedTotal.inc({ reason: 'in_flight' });
      shed(
        reply,
        503,
        RETRY_AFTER_OVERLOADED_S,
        'The gateway is serving as many requests as it takes at once; retry shortly',
        req.ctx?.requestId,
      );
      return;
    }
    if (!bus.isUp()) {
      shedTotal.inc({ reason: 'bus_down' });
      shed(
        reply,
        503,
        RETRY_AFTER_BUS_DOWN_S,
        'The gateway has lost its link to the message bus; retry shortly',
        req.ctx?.requestId,
      );
      return;
    }
    if (countInFlight) {
      inFlight++;
      // 'close' fires once the response is finished or the client went away, whichever comes first
      reply.raw.once('close', onClose);
    }
    done();
  });

  // every other 503 problem (a service's database unreachable, no replica listening) says when to retry too
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    if (
      reply.statusCode === 503 &&
      !reply.hasHeader('retry-after') &&
      String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE)
    ) {
      void reply.header('retry-after', String(RETRY_AFTER_UNAVAILABLE_S));
    }
    done(null, payload);
  });

  if (limits.maxEventLoopDelayMs > 0) {
    // The first samples cover the gateway's own start (module set-up, route and OpenAPI building block the
    // loop for long stretches) and say nothing about serving: the delay counts from the second full
    // sampling period after the listener opened.
    let armedAt = Infinity;
    fastify.addHook('onListen', (done) => {
      armedAt = Date.now() + 2 * EVENT_LOOP_SAMPLE_MS;
      done();
    });
    void fastify.register(underPressure, {
      sampleInterval: EVENT_LOOP_SAMPLE_MS,
      maxEventLoopDelay: limits.maxEventLoopDelayMs,
      retryAfter: RETRY_AFTER_OVERLOADED_S,
      pressureHandler: (req, reply, type) => {
        if (isExempt(pathOf(req)) || Date.now() < armedAt) return undefined; // under-pressure goes on with the request
        shedTotal.inc({ reason: 'event_loop_delay' });
        void reply
          .status(503)
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .header('retry-after', String(RETRY_AFTER_OVERLOADED_S));
        // under-pressure sends a non-null return value as the answer (its typings say void)
        return problem(
          503,
          `The gateway is overloaded (${type === 'eventLoopDelay' ? 'event loop delayed' : type}); retry shortly`,
          { requestId: req.ctx?.requestId },
        ) as unknown as void;
      },
    });
  }
  return shedTotal;
}

/**
 * Per-key rate limit on /api/platform/** (@fastify/rate-limit, in memory: the limit is per gateway
 * replica). Keyed by the key id the auth hook put on req.ctx.actor, never the key itself; runs as a
 * route hook, after the global auth hook. Webhooks and /payments/** are not limited.
 */
export function installRateLimit(
  fastify: FastifyInstance,
  deps: { limits: OverloadLimits; shedTotal: Counter<'reason'> },
): void {
  if (deps.limits.rateLimitPerMinute <= 0) return;
  void fastify.register(rateLimit, {
    global: true,
    max: deps.limits.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => req.ctx?.actor ?? 'anonymous',
    allowList: (req) => !isPlatformApi(req) || !req.ctx?.actor,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    onExceeded: () => deps.shedTotal.inc({ reason: 'rate_limit' }),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: ctx.statusCode,
      message: `Rate limit exceeded: at most ${ctx.max} requests a minute per platform key; retry in ${ctx.after}`,
    }),
  });
}
