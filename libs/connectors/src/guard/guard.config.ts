import { IsInt, Max, Min } from 'class-validator';

import { ServiceConfig } from '@app/runtime';

/** Variables of every service that calls providers (catalog, payments, kyc, comms): libs/connectors' guards. */
export class ConnectorCallerConfig extends ServiceConfig {
  /** Consecutive provider-side failures (timeout, 5xx, network, 429) that open a provider's circuit breaker. */
  @IsInt()
  @Min(1)
  @Max(1000)
  CONNECTOR_BREAKER_FAILURES = 5;

  /** How long an open breaker fails calls at once before one half-open probe may try the provider again. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CONNECTOR_BREAKER_COOLDOWN_MS = 30_000;

  /** Calls in flight to one provider from this process; one more is refused at once (failover or 503), never queued. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  CONNECTOR_MAX_CONCURRENCY = 32;

  /** The longest a provider's 429 Retry-After is obeyed (a bogus header cannot silence a provider for days). */
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  CONNECTOR_RETRY_AFTER_MAX_MS = 300_000;

  /** The sliding window of a provider's health: error_rate and p95_ms are over the calls of this window. */
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  CONNECTOR_HEALTH_WINDOW_MS = 60_000;

  /** How often each process publishes its breakers' health to the catalog (and at once on a state change). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  CONNECTOR_HEALTH_PUBLISH_MS = 5000;
}
