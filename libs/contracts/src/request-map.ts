import type { AffiliatesRequests } from './affiliates/affiliates.requests';
import type {
  ActivateProviderRequest,
  CategoryListView,
  CategoryView,
  ListProvidersRequest,
  ProviderConfigView,
  ProviderKeyRequest,
  ProviderListView,
  ProviderTestView,
  ProviderView,
  ResolveConfigRequest,
  SetDefaultRequest,
  UpdateCredentialsRequest,
} from './catalog/catalog.messages';
import type { ServiceName, Unvalidated } from './common/envelope';
import type { CommsRequests } from './comms/comms.requests';
import type { KycRequests } from './kyc/kyc.requests';
import type { OpsRequests } from './ops/ops.requests';
import type { PaymentsRequests } from './payments/payments.requests';
import type { EchoReply, EchoRequest, HealthReply } from './system/system.messages';

/**
 * Every request subject and its [request, reply] types. The bus client is typed by this map, so a
 * mistyped subject or a wrong payload does not compile. Each service's contracts add their entries.
 */
export type RequestMap = {
  [K in `${ServiceName}.system.echo`]: [EchoRequest, EchoReply];
} & {
  [K in `${ServiceName}.system.health`]: [Record<string, never>, HealthReply];
} & {
  'catalog.providers.list': [ListProvidersRequest, ProviderListView];
  'catalog.providers.get': [ProviderKeyRequest, ProviderView];
  'catalog.providers.activate': [Unvalidated<ActivateProviderRequest>, ProviderView];
  'catalog.providers.credentials.update': [Unvalidated<UpdateCredentialsRequest>, ProviderView];
  'catalog.providers.deactivate': [ProviderKeyRequest, ProviderView];
  'catalog.providers.test': [ProviderKeyRequest, ProviderTestView];
  'catalog.categories.list': [Record<string, never>, CategoryListView];
  'catalog.categories.default.set': [SetDefaultRequest, CategoryView];
  'catalog.providers.config.get': [ProviderKeyRequest, ProviderConfigView];
  'catalog.providers.config.resolve': [ResolveConfigRequest, ProviderConfigView];
} & PaymentsRequests &
  KycRequests &
  CommsRequests &
  AffiliatesRequests &
  OpsRequests;

export type RequestSubject = keyof RequestMap;
export type RequestOf<S extends RequestSubject> = RequestMap[S][0];
export type ReplyOf<S extends RequestSubject> = RequestMap[S][1];
