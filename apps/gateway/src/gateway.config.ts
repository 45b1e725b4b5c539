import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

import { MetricsPort, NatsPassword, NatsUser } from '@app/runtime';

/** Every variable the gateway reads, with its default. */
export class GatewayConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** /metrics on a listener of its own at this port (same HOST), and 404 on PORT; 0: on PORT. */
  @MetricsPort('PORT')
  METRICS_PORT = 0;

  @IsString()
  @Matches(/[^,\s]/, { message: 'PLATFORM_API_KEYS must list at least one key (comma-separated)' })
  PLATFORM_API_KEYS = '';

  @Matches(/^(nats|tls|ws|wss):\/\/[^\s]+$/, { message: 'NATS_URL must be a nats:// URL, e.g. nats://127.0.0.1:4222' })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** The gateway's NATS user (deploy/nats/users.conf); empty for an unauthenticated local NATS. */
  @NatsUser()
  NATS_USER = '';

  @NatsPassword()
  NATS_PASSWORD = '';

  @Matches(/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/, {
    message: 'NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, _ or -',
  })
  NATS_SUBJECT_PREFIX = '';

  @IsInt()
  @Min(50)
  @Max(120000)
  NATS_REQUEST_TIMEOUT_MS = 10000;

  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** The built console served at /console; empty: dist/console (where `npm run build` puts it). */
  @IsString()
  CONSOLE_DIR = '';

  /** Defaults to http://127.0.0.1:<PORT> (see startGateway). */
  @Matches(/^(https?:\/\/[^\s]+)?$/, {
    message: 'PUBLIC_BASE_URL must be an http(s) URL, e.g. https://integrations.example.com',
  })
  PUBLIC_BASE_URL = '';

  /** Longest a client may take to send a request's headers; slower ones get 408 and are disconnected. */
  @IsInt()
  @Min(100)
  @Max(600000)
  GATEWAY_HEADERS_TIMEOUT_MS = 10000;

  /** Longest a client may take to send a whole request (headers and body). */
  @IsInt()
  @Min(100)
  @Max(600000)
  GATEWAY_REQUEST_TIMEOUT_MS = 30000;

  /** How long an idle keep-alive connection stays open; above a fronting proxy's idle timeout (60 s is common). */
  @IsInt()
  @Min(100)
  @Max(600000)
  GATEWAY_KEEP_ALIVE_TIMEOUT_MS = 65000;

  /** Open connections past this are closed at once: bounds the memory held by many clients. */
  @IsInt()
  @Min(1)
  @Max(1000000)
  GATEWAY_MAX_CONNECTIONS = 10000;

  /** Requests served at once past which new ones get 503 with Retry-After (health and metrics exempt); 0 = no limit. */
  @IsInt()
  @Min(0)
  @Max(1000000)
  GATEWAY_MAX_IN_FLIGHT = 1000;

  /** Mean event-loop delay (ms, sampled each second) past which new requests get 503 with Retry-After; 0 = off. */
  @IsInt()
  @Min(0)
  @Max(60000)
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS = 500;

  /** Requests a minute per platform key on /api/platform/** (in memory: per gateway replica); 0 = off. */
  @IsInt()
  @Min(0)
  @Max(10000000)
  GATEWAY_RATE_LIMIT_PER_MINUTE = 6000;

  @IsInt()
  @Min(100)
  @Max(120000)
  SHUTDOWN_TIMEOUT_MS = 10000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}
