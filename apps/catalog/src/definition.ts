import { ServiceConfig, type ServiceDefinition } from '@app/runtime';
import { CatalogModule } from './catalog.module';

export class CatalogConfig extends ServiceConfig {}

export const catalogService: ServiceDefinition<CatalogConfig> = {
  name: 'catalog',
  defaultHttpPort: 3101,
  config: CatalogConfig,
  module: CatalogModule,
  entities: [],
  migrations: [],
};
