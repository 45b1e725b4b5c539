import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags, OmitType, PickType } from '@nestjs/swagger';

import {
  ActivateProviderRequest,
  catalogSubjects,
  CategoryListView,
  CategoryView,
  DomainError,
  ErrorCode,
  ListProvidersRequest,
  ProviderListView,
  ProviderTestView,
  ProviderView,
  SetDefaultRequest,
  UpdateCredentialsRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ApiProblems } from '../openapi';

// the provider key and the category come from the path
class ActivateBody extends OmitType(ActivateProviderRequest, ['key']) {}
class CredentialsBody extends OmitType(UpdateCredentialsRequest, ['key']) {}
class SetDefaultBody extends PickType(SetDefaultRequest, ['provider']) {}

@ApiTags('connector catalog')
@ApiBearerAuth()
@Controller('api/platform/integrations')
export class CatalogController {
  constructor(private readonly bus: BusClient) {}

  @Get('providers')
  @ApiOperation({
    summary: 'List providers',
    description: 'Every provider of the catalog, optionally of one category, with masked credentials and health',
  })
  @ApiOkResponse({ type: ProviderListView })
  @ApiProblems(404)
  listProviders(@Ctx() ctx: RequestContext, @Query() q: ListProvidersRequest) {
    return this.bus.request(catalogSubjects.listProviders, q.category ? { category: q.category } : {}, { ctx });
  }

  @Get('providers/:key')
  @ApiOperation({ summary: 'Get a provider', description: 'The provider, with the health of its circuit breakers' })
  @ApiOkResponse({ type: ProviderView })
  @ApiProblems(404)
  getProvider(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.getProvider, { key }, { ctx });
  }

  @Post('providers/:key/activate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate a provider',
    description:
      'Credentials are merged into the stored ones; the first active provider of a category becomes its default. ' +
      'With `verify: true` the provider is called first: a refusal is 422 and nothing is stored.',
  })
  @ApiBody({ type: ActivateBody, required: false })
  @ApiOkResponse({ type: ProviderView })
  @ApiProblems(404, 422, 502)
  activateProvider(@Ctx() ctx: RequestContext, @Param('key') key: string, @Body() body: unknown) {
    // validated by the catalog, together with the provider's manifest: one 400 lists every field
    return this.bus.request(
      catalogSubjects.activate,
      { ...jsonObject(body), key },
      {
        timeoutMs: 30000,
        ctx,
      },
    );
  }

  @Put('providers/:key/credentials')
  @ApiOperation({
    summary: 'Rotate credentials',
    description: 'Merged into the stored ones with no downtime; `verify: true` calls the provider first',
  })
  @ApiBody({ type: CredentialsBody })
  @ApiOkResponse({ type: ProviderView })
  @ApiProblems(404, 422, 502)
  updateCredentials(@Ctx() ctx: RequestContext, @Param('key') key: string, @Body() body: unknown) {
    return this.bus.request(catalogSubjects.updateCredentials, { ...jsonObject(body), key }, { timeoutMs: 30000, ctx });
  }

  @Post('providers/:key/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a provider', description: 'Its stored credentials are kept' })
  @ApiOkResponse({ type: ProviderView })
  @ApiProblems(404)
  deactivateProvider(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.deactivate, { key }, { ctx });
  }

  @Post('providers/:key/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test a provider',
    description:
      "A cheap authenticated call with the stored credentials: `{ok: true}` or 422 with the provider's reason",
  })
  @ApiOkResponse({ type: ProviderTestView })
  @ApiProblems(404, 409, 422, 502)
  testProvider(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.test, { key }, { timeoutMs: 30000, ctx });
  }

  @Get('categories')
  @ApiOperation({ summary: 'List categories', description: 'Each category with its default and active providers' })
  @ApiOkResponse({ type: CategoryListView })
  listCategories(@Ctx() ctx: RequestContext) {
    return this.bus.request(catalogSubjects.listCategories, {}, { ctx });
  }

  @Put('categories/:category/default')
  @ApiOperation({
    summary: "Set a category's default provider",
    description: 'The swap: the named provider must be an active provider of that category',
  })
  @ApiOkResponse({ type: CategoryView })
  @ApiProblems(404, 409)
  setDefaultProvider(@Ctx() ctx: RequestContext, @Param('category') category: string, @Body() body: SetDefaultBody) {
    return this.bus.request(catalogSubjects.setDefault, { category, provider: body.provider }, { ctx });
  }
}

/** A body forwarded for validation elsewhere must at least be a JSON object (or absent). */
function jsonObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError(ErrorCode.ValidationFailed, 'The request has invalid fields', [
      { field: 'body', message: 'must be a JSON object' },
    ]);
  }
  return body as Record<string, unknown>;
}
