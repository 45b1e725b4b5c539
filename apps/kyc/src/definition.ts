import { ServiceConfig, type ServiceDefinition } from '@app/runtime';
import { KycModule } from './kyc.module';

export class KycConfig extends ServiceConfig {}

export const kycService: ServiceDefinition<KycConfig> = {
  name: 'kyc',
  defaultHttpPort: 3103,
  config: KycConfig,
  module: KycModule,
  entities: [],
  migrations: [],
};
