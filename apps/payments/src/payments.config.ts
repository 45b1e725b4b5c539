import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

import { ConnectorCallerConfig } from '@app/connectors';
import { ISO_CURRENCIES } from '@app/contracts';

/** Every variable of the payments service, with its default. */
export class PaymentsConfig extends ConnectorCallerConfig {
  /** The gateway's URL as providers see it: notification URLs are built from it. */
  @IsString()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** Currency of a cashier session when the resolve request names none. */
  @IsIn([...ISO_CURRENCIES], { message: 'PAYMENTS_DEFAULT_CURRENCY must be an ISO 4217 code' })
  PAYMENTS_DEFAULT_CURRENCY = 'USD';

  /** Deadline of one provider call while opening a cashier session (a failover may make two). */
  @IsInt()
  @Min(500)
  @Max(60000)
  PAYMENTS_PROVIDER_TIMEOUT_MS = 10000;

  /** Safety-net reload of the routing table; change events make it fresh at once. */
  @IsInt()
  @Min(1000)
  @Max(3600000)
  PAYMENTS_ROUTING_REFRESH_MS = 60000;
}
