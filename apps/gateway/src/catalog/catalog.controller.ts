import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags, OmitType, PickType } from '@nestjs/swagger';

import {
  ActivateProviderRequest,
  catalogSubjects,
  DomainError,
  ErrorCode,
  ListProvidersRequest,
  SetDefaultRequest,
  UpdateCredentialsRequest,
} from '@app/contracts';
import { BusClient } from '@app/messaging';
import type { RequestContext } from '@app/observability';

import { Ctx } from '../http/request-context';
import { ProviderDto, ProviderListDto } from './catalog.dto';

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
  @ApiOperation({ summary: 'List providers, optionally of one category' })
  @ApiOkResponse({ type: ProviderListDto })
  list(@Ctx() ctx: RequestContext, @Query() q: ListProvidersRequest) {
    return this.bus.request(catalogSubjects.listProviders, q.category ? { category: q.category } : {}, { ctx });
  }

  @Get('providers/:key')
  @ApiOkResponse({ type: ProviderDto, description: 'The provider, with the health of its circuit breakers' })
  get(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.getProvider, { key }, { ctx });
  }

  @Post('providers/:key/activate')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Activate with credentials (merged into stored ones); the first active provider of a category becomes its default',
  })
  @ApiBody({ type: ActivateBody, required: false })
  @ApiOkResponse({ type: ProviderDto })
  activate(@Ctx() ctx: RequestContext, @Param('key') key: string, @Body() body: unknown) {
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
  @ApiOperation({ summary: 'Rotate credentials with no downtime' })
  @ApiBody({ type: CredentialsBody })
  @ApiOkResponse({ type: ProviderDto })
  credentials(@Ctx() ctx: RequestContext, @Param('key') key: string, @Body() body: unknown) {
    return this.bus.request(catalogSubjects.updateCredentials, { ...jsonObject(body), key }, { timeoutMs: 30000, ctx });
  }

  @Post('providers/:key/deactivate')
  @HttpCode(200)
  @ApiOkResponse({ type: ProviderDto })
  deactivate(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.deactivate, { key }, { ctx });
  }

  @Post('providers/:key/test')
  @HttpCode(200)
  @ApiOperation({
    summary: "A cheap authenticated call with the stored credentials: 200 {ok: true} or 422 with the provider's reason",
  })
  test(@Ctx() ctx: RequestContext, @Param('key') key: string) {
    return this.bus.request(catalogSubjects.test, { key }, { timeoutMs: 30000, ctx });
  }

  @Get('categories')
  categories(@Ctx() ctx: RequestContext) {
    return this.bus.request(catalogSubjects.listCategories, {}, { ctx });
  }

  @Put('categories/:category/default')
  @ApiOperation({ summary: "The swap: make an active provider its category's default" })
  setDefault(@Ctx() ctx: RequestContext, @Param('category') category: string, @Body() body: SetDefaultBody) {
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
