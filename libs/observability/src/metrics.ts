import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Parked dead letters by consumer, read at scrape time; consumers listed with none show 0. */
export type ParkedCounter = () => Promise<{ counts: Map<string, number>; consumers: string[] }>;
/** Each durable consumer's backlog (JetStream num_pending + num_ack_pending), read at scrape time. */
export type PendingCounter = () => Promise<Map<string, number>>;

/**
 * Every metric name lives here: <domain>_<what>_<unit>, counters end in _total, durations in _seconds.
 * One registry per process role (several roles can share a test process without name clashes).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly natsHandlerDuration: Histogram<'subject' | 'outcome'>;
  readonly natsClientDuration: Histogram<'subject' | 'outcome'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly outboxPublished: Counter<'subject'>;
  readonly consumerHandled: Counter<'consumer' | 'outcome'>;
  readonly deadLettersTotal: Counter<'consumer'>;
  readonly deadLettersParked: Gauge<'consumer'>;
  readonly consumerPending: Gauge<'consumer'>;
  readonly connectorRequestDuration: Histogram<'provider' | 'operation' | 'outcome'>;
  private parkedCounter: ParkedCounter | null = null;
  private pendingCounter: PendingCounter | null = null;

  constructor(service: string, opts: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.natsHandlerDuration = new Histogram({
      name: 'nats_handler_duration_seconds',
      help: 'Time to handle a NATS request, by subject and outcome',
      labelNames: ['subject', 'outcome'],
      buckets,
      registers: [this.registry],
    });
    this.natsClientDuration = new Histogram({
      name: 'nats_client_request_duration_seconds',
      help: 'NATS request-reply round trips made by this process',
      labelNames: ['subject', 'outcome'],
      buckets,
      registers: [this.registry],
    });
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests served, by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets,
      registers: [this.registry],
    });
    this.outboxPublished = new Counter({
      name: 'outbox_published_events_total',
      help: 'Outbox rows published to JetStream',
      labelNames: ['subject'],
      registers: [this.registry],
    });
    this.consumerHandled = new Counter({
      name: 'consumer_messages_total',
      help: 'Durable consumer deliveries by outcome (handled, duplicate, failed)',
      labelNames: ['consumer', 'outcome'],
      registers: [this.registry],
    });
    this.deadLettersTotal = new Counter({
      name: 'dead_letters_total',
      help: 'Messages a durable consumer parked as dead letters',
      labelNames: ['consumer'],
      registers: [this.registry],
    });
    this.connectorRequestDuration = new Histogram({
      name: 'connector_request_duration_seconds',
      help: 'Provider calls by provider key, operation and outcome (ok, refused, provider_error, timeout, rate_limited, rejected, breaker_open, error)',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    const countParked = () => this.parkedCounter?.();
    this.deadLettersParked = new Gauge({
      name: 'dead_letters_parked',
      help: 'Dead letters parked now, awaiting an operator (replay or discard)',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        // a failed count (Postgres away) keeps the last values rather than failing the whole scrape
        const parked = await countParked()?.catch(() => null);
        if (!parked) return;
        this.reset();
        for (const consumer of new Set([...parked.consumers, ...parked.counts.keys()]))
          this.set({ consumer }, parked.counts.get(consumer) ?? 0);
      },
    });
    const countPending = () => this.pendingCounter?.();
    this.consumerPending = new Gauge({
      name: 'consumer_pending_messages',
      help: 'Durable consumer backlog: messages not yet delivered plus delivered and not yet acked',
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        // NATS away: the last values stay rather than failing the whole scrape
        const pending = await countPending()?.catch(() => null);
        if (!pending) return;
        for (const [consumer, n] of pending) this.set({ consumer }, n);
      },
    });
  }

  /** Where consumer_pending_messages reads its values at each scrape (JetStream consumer info). */
  countPendingWith(counter: PendingCounter): void {
    this.pendingCounter = counter;
  }

  /** Where dead_letters_parked reads its values at each scrape (the service's dead-letter table). */
  countParkedWith(counter: ParkedCounter): void {
    this.parkedCounter = counter;
  }
}

/** Most label combinations a LabelledHistogram keeps children for; past it, samples go through observe(labels). */
const MAX_CHILDREN = 2000;

/**
 * A histogram's per-label-set child, made once (`.labels()`) and found by a string key the caller
 * builds from the label values, instead of a label object built, checked and hashed on every sample.
 * The hot paths' labels are bounded (route templates, subjects, outcomes); past MAX_CHILDREN
 * combinations the samples are observed the plain way, so a burst of odd labels grows no cache.
 */
export class LabelledHistogram<L extends string> {
  private readonly children = new Map<string, { observe(value: number): void }>();

  constructor(
    readonly histogram: Histogram<L>,
    private readonly max = MAX_CHILDREN,
  ) {}

  /** `key` identifies `labels` (e.g. their values joined); the same key must always come with the same labels. */
  observe(key: string, labels: Partial<Record<L, string | number>>, seconds: number): void {
    let child = this.children.get(key);
    if (!child) {
      if (this.children.size >= this.max) return this.histogram.observe(labels, seconds);
      child = this.histogram.labels(labels);
      this.children.set(key, child);
    }
    child.observe(seconds);
  }
}
