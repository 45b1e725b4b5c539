import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

import { ConnectorCallerConfig } from '@app/connectors';
import { ISO_CURRENCIES } from '@app/contracts';
import type { ServiceDefinition } from '@app/runtime/service';

import { Payments1764000004000 } from './database/migrations/1764000004000-payments';
import { SessionSecretDigest1764000004100 } from './database/migrations/1764000004100-session-secret-digest';
import { NotificationTrust1764000004200 } from './database/migrations/1764000004200-notification-trust';
import { PaymentsModule } from './payments.module';
import { PaymentsWorker } from './payments.worker';
import { DefaultRouteEntity, RouteEntity } from './routing/routing.entities';
import {
  CashierSessionEntity,
  ParkedNotificationEntity,
  PaymentNotificationEntity,
  PaymentTransactionEntity,
  SessionStatusEntity,
} from './sessions/sessions.entities';

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

export const paymentsService: ServiceDefinition<PaymentsConfig> = {
  name: 'payments',
  defaultHttpPort: 3102,
  config: PaymentsConfig,
  module: PaymentsModule,
  entities: [
    RouteEntity,
    DefaultRouteEntity,
    CashierSessionEntity,
    SessionStatusEntity,
    PaymentTransactionEntity,
    PaymentNotificationEntity,
    ParkedNotificationEntity,
  ],
  migrations: [Payments1764000004000, SessionSecretDigest1764000004100, NotificationTrust1764000004200],
  workers: [PaymentsWorker],
};
