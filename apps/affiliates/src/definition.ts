import { ServiceConfig, type ServiceDefinition } from '@app/runtime';
import { AffiliatesModule } from './affiliates.module';

export class AffiliatesConfig extends ServiceConfig {}

export const affiliatesService: ServiceDefinition<AffiliatesConfig> = {
  name: 'affiliates',
  defaultHttpPort: 3105,
  config: AffiliatesConfig,
  module: AffiliatesModule,
  entities: [],
  migrations: [],
};
