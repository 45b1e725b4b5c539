import { IsBoolean, IsInt, IsNumber, Matches, Max, Min } from 'class-validator';

import { ServiceConfig } from '@app/runtime';
import { withVaultKeys } from '@app/runtime/service';

/** Every variable of the affiliates service, with its default. */
export class AffiliatesConfig extends withVaultKeys(ServiceConfig) {
  /** Pending events are flushed into batches at every multiple of this interval (wall clock, all replicas). */
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  AFFILIATE_BATCH_INTERVAL_MS = 30000;

  /** `host:port` list exempt from the SSRF guard (tests, private deployments), e.g. `127.0.0.1:8099`. */
  @Matches(/^(\s*(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\s*(,|$))*$/, {
    message: 'AFFILIATE_ALLOWED_HOSTS must be a comma-separated host:port list',
  })
  AFFILIATE_ALLOWED_HOSTS = '';

  /** Permits plain http, for the hosts of AFFILIATE_ALLOWED_HOSTS only. */
  @IsBoolean()
  AFFILIATE_ALLOW_HTTP = false;

  /** `CUR=value` list: the value of one unit of each currency in a common base, e.g. `USD=1,EUR=1.08,BRL=0.18`. */
  @Matches(/^(\s*[A-Za-z]{3}\s*=\s*\d+(\.\d+)?\s*(,|$))*$/, {
    message: 'AFFILIATE_FX_RATES must be a CUR=rate list, e.g. USD=1,EUR=1.08',
  })
  AFFILIATE_FX_RATES = '';

  /** Delay before each retry (ms); the attempt after the last one is not made. */
  @Matches(/^\d+(,\d+)*$/, { message: 'AFFILIATE_RETRY_SCHEDULE_MS must be a comma-separated list of milliseconds' })
  AFFILIATE_RETRY_SCHEDULE_MS = '5000,300000,1800000,7200000,18000000,36000000,36000000';

  /** Relative jitter applied to every retry delay (0.2 = +-20%). */
  @IsNumber()
  @Min(0)
  @Max(0.9)
  AFFILIATE_RETRY_JITTER = 0.2;

  @IsInt()
  @Min(100)
  @Max(120000)
  AFFILIATE_REQUEST_TIMEOUT_MS = 15000;

  /** Longest Retry-After honoured (longer ones are capped). */
  @IsInt()
  @Min(0)
  AFFILIATE_MAX_RETRY_AFTER_MS = 86_400_000;

  /** An endpoint answering only failures for this long is disabled (5 days). */
  @IsInt()
  @Min(1000)
  AFFILIATE_DISABLE_AFTER_MS = 5 * 86_400_000;

  /** After a secret change the previous secret signs too, for this long. */
  @IsInt()
  @Min(0)
  AFFILIATE_SECRET_OVERLAP_MS = 86_400_000;

  /** Affiliates delivered to at the same time by one replica (each affiliate has one lane, in order). */
  @IsInt()
  @Min(1)
  @Max(1000)
  AFFILIATE_DELIVERY_CONCURRENCY = 32;

  /**
   * Lease on an affiliate's delivery lane, renewed every third of it while the owner works: a replica
   * that crashed (or lost the database) gives its lanes up to another within this time.
   */
  @IsInt()
  @Min(1000)
  @Max(600_000)
  AFFILIATE_LANE_LEASE_MS = 10000;
}
