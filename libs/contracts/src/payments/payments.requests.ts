import type { Unvalidated } from '../common/envelope';
import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';
import type {
  CountryRequest,
  DefaultRouteView,
  PutRouteRequest,
  ResolutionView,
  ResolveGatewayRequest,
  RouteView,
  RoutingListView,
  SetDefaultRouteRequest,
} from './payments.messages';

/** Request subjects of the payments service and their [request, reply] types (merged into RequestMap). */
export type PaymentsRequests = {
  'payments.webhooks.receive': [InboundWebhook, WebhookReply];
  'payments.routing.put': [Unvalidated<PutRouteRequest>, RouteView];
  'payments.routing.list': [Record<string, never>, RoutingListView];
  'payments.routing.get': [CountryRequest, RouteView];
  'payments.routing.delete': [CountryRequest, { deleted: true }];
  'payments.routing.default.get': [Record<string, never>, DefaultRouteView];
  'payments.routing.default.set': [Unvalidated<SetDefaultRouteRequest>, DefaultRouteView];
  'payments.gateway.resolve': [Unvalidated<ResolveGatewayRequest>, ResolutionView];
};
