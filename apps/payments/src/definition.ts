import type { ServiceDefinition } from '@app/runtime/service';

import { Payments1764000004000 } from './database/migrations/1764000004000-payments';
import { SessionSecretDigest1764000004100 } from './database/migrations/1764000004100-session-secret-digest';
import { NotificationTrust1764000004200 } from './database/migrations/1764000004200-notification-trust';
import { PaymentsConfig } from './payments.config';
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
