import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';

import {
  catalogSubjects,
  ListProvidersRequest,
  ProviderKeyRequest,
  ResolveConfigRequest,
  SetDefaultRequest,
} from '@app/contracts';

import { CatalogService } from './catalog.service';

/** NATS handlers of the catalog: validate (global pipe), delegate. */
@Controller()
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @MessagePattern(catalogSubjects.listProviders)
  async list(@Payload() req: ListProvidersRequest) {
    return { providers: await this.catalog.list(req.category) };
  }

  @MessagePattern(catalogSubjects.getProvider)
  get(@Payload() req: ProviderKeyRequest) {
    return this.catalog.get(req.key);
  }

  // validated in the service, together with the provider's manifest, so one 400 lists every field
  @MessagePattern(catalogSubjects.activate)
  activate(@Payload() raw: unknown) {
    return this.catalog.activate(raw);
  }

  @MessagePattern(catalogSubjects.updateCredentials)
  updateCredentials(@Payload() raw: unknown) {
    return this.catalog.updateCredentials(raw);
  }

  @MessagePattern(catalogSubjects.deactivate)
  deactivate(@Payload() req: ProviderKeyRequest) {
    return this.catalog.deactivate(req.key);
  }

  @MessagePattern(catalogSubjects.test)
  test(@Payload() req: ProviderKeyRequest) {
    return this.catalog.test(req.key);
  }

  @MessagePattern(catalogSubjects.listCategories)
  async categories() {
    return { categories: await this.catalog.categories() };
  }

  @MessagePattern(catalogSubjects.setDefault)
  setDefault(@Payload() req: SetDefaultRequest) {
    return this.catalog.setDefault(req.category, req.provider);
  }

  @MessagePattern(catalogSubjects.getConfig)
  config(@Payload() req: ProviderKeyRequest) {
    return this.catalog.config(req.key);
  }

  @MessagePattern(catalogSubjects.resolveConfig)
  resolve(@Payload() req: ResolveConfigRequest) {
    return this.catalog.resolve(req.category, req.provider);
  }
}
