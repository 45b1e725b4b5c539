import { ServiceConfig, type ServiceDefinition } from '@app/runtime';
import { PaymentsModule } from './payments.module';

export class PaymentsConfig extends ServiceConfig {}

export const paymentsService: ServiceDefinition<PaymentsConfig> = {
  name: 'payments',
  defaultHttpPort: 3102,
  config: PaymentsConfig,
  module: PaymentsModule,
  entities: [],
  migrations: [],
};
