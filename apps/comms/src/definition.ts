import { ServiceConfig, type ServiceDefinition } from '@app/runtime';
import { CommsModule } from './comms.module';

export class CommsConfig extends ServiceConfig {}

export const commsService: ServiceDefinition<CommsConfig> = {
  name: 'comms',
  defaultHttpPort: 3104,
  config: CommsConfig,
  module: CommsModule,
  entities: [],
  migrations: [],
};
