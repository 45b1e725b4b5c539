import { Injectable } from '@nestjs/common';

import { ProviderConfigCache } from '@app/connectors';
import type { BackgroundWorker } from '@app/runtime/service';

/** Subscribes the provider config cache to catalog changes for the life of the service. */
@Injectable()
export class ConfigCacheWorker implements BackgroundWorker {
  constructor(private readonly cache: ProviderConfigCache) {}

  async start(): Promise<void> {
    this.cache.start();
  }

  async stop(): Promise<void> {
    await this.cache.stop();
  }
}
