import pino from 'pino';

import {
  ConnectorError,
  ConnectorRegistry,
  type CashierAnswer,
  type CashierRequest,
  type Connector,
  type ProviderConfigCache,
} from '@app/connectors';
import { DomainError, ErrorCode, type ProviderConfigView } from '@app/contracts';
import { Metrics } from '@app/observability';

import type { PaymentsConfig } from '../payments.config';
import { PaymentsMetrics } from '../payments.metrics';
import { RoutingTable } from '../routing/routing-table';
import type { DefaultRouteEntity, RouteEntity } from '../routing/routing.entities';
import type { RoutingRepository } from '../routing/routing.repository';
import type { NewSession, SessionsRepository } from '../sessions/sessions.repository';
import { GatewayChooser } from './gateway-chooser';
import { ResolveGateway } from './resolve-gateway';

type Open = (req: CashierRequest) => Promise<CashierAnswer>;
const redirect: Open = (req) =>
  Promise.resolve({ type: 'redirect', redirect_url: `https://pay.example.com/${req.orderId}` });
const fails =
  (code: ConnectorError['code']): Open =>
  () =>
    Promise.reject(new ConnectorError(code, `${code} from the gateway`));

describe(ResolveGateway.name, () => {
  let routes: RouteEntity[];
  let defaultPair: DefaultRouteEntity | null;
  let catalog: Map<string, ProviderConfigView['status']>;
  let opens: Record<string, Open>;
  let opened: { key: string; req: CashierRequest }[];
  let stored: NewSession[];
  let resolver: ResolveGateway;

  const route = (country: string, deposit: string, withdrawal: string, isActive = true) =>
    ({ country, depositGateway: deposit, withdrawalGateway: withdrawal, isActive }) as RouteEntity;
  const resolve = (query: Record<string, string>) => resolver.execute({ direction: 'deposit', ...query });
  const failure = (query: Record<string, string>): Promise<DomainError> =>
    resolve(query).then(
      () => Promise.reject(new Error('resolved')),
      (e: DomainError) => e,
    );

  beforeEach(() => {
    routes = [route('DE', 'bridgerpay', 'praxis'), route('FR', 'bridgerpay', 'bridgerpay', false)];
    defaultPair = { depositGateway: 'praxis', withdrawalGateway: 'praxis' } as DefaultRouteEntity;
    catalog = new Map([
      ['bridgerpay', 'active'],
      ['praxis', 'active'],
    ]);
    opens = { bridgerpay: redirect, praxis: redirect };
    opened = [];
    stored = [];
    const repo = {
      allRoutes: () => Promise.resolve(routes),
      defaultPair: () => Promise.resolve(defaultPair),
    } as unknown as RoutingRepository;
    const configs = {
      get: (key: string): Promise<ProviderConfigView> => {
        const status = catalog.get(key);
        if (!status) return Promise.reject(new DomainError(ErrorCode.NotFound, `unknown provider ${key}`));
        return Promise.resolve({
          key,
          category: 'payment',
          status,
          is_default: false,
          credentials: {},
          settings: {},
          version: 1,
        });
      },
    } as unknown as ProviderConfigCache;
    const connector = (key: string) =>
      ({
        manifest: { key },
        payment: {
          openCashier: (_config: unknown, req: CashierRequest) => {
            opened.push({ key, req });
            return opens[key](req);
          },
        },
      }) as unknown as Connector;
    const sessions = {
      create: (s: NewSession) => {
        stored.push(s);
        return Promise.resolve();
      },
    } as unknown as SessionsRepository;
    const config = {
      PAYMENTS_DEFAULT_CURRENCY: 'USD',
      PAYMENTS_PROVIDER_TIMEOUT_MS: 1000,
      PUBLIC_BASE_URL: 'https://hooks.example.com',
    } as PaymentsConfig;
    const chooser = new GatewayChooser(
      new RoutingTable(repo, pino({ level: 'silent' })),
      configs,
      new ConnectorRegistry([connector('bridgerpay'), connector('praxis')]),
    );
    resolver = new ResolveGateway(
      chooser,
      sessions,
      new PaymentsMetrics(new Metrics('payments', { defaultMetrics: false })),
      config,
    );
  });

  it("serves a country with an active route through the route's deposit gateway", async () => {
    const r = await resolve({ country: 'de' });
    expect(r).toMatchObject({ gateway: 'bridgerpay', source: 'country', country: 'DE', type: 'redirect' });
    expect(r.failover_from).toBeUndefined();
    expect(stored).toEqual([expect.objectContaining({ id: r.order_id, gateway: 'bridgerpay', source: 'country' })]);
    expect(opened[0].req).toMatchObject({
      notificationUrl: 'https://hooks.example.com/webhooks/payments/bridgerpay',
      timeoutMs: 1000,
      currency: 'USD',
    });
  });

  it("uses the route's withdrawal gateway for a withdrawal", async () => {
    await expect(resolve({ country: 'DE', direction: 'withdrawal' })).resolves.toMatchObject({
      gateway: 'praxis',
      source: 'country',
    });
  });

  it('falls back to the default gateway when the country has no route', async () => {
    await expect(resolve({ country: 'IT' })).resolves.toMatchObject({ gateway: 'praxis', source: 'default' });
  });

  it('falls back to the default gateway when the country route is inactive', async () => {
    await expect(resolve({ country: 'FR' })).resolves.toMatchObject({ gateway: 'praxis', source: 'default' });
    expect(opened.map((o) => o.key)).toEqual(['praxis']);
  });

  it("falls back to the default gateway when the route's gateway is inactive or unknown to the catalog", async () => {
    catalog.set('bridgerpay', 'inactive');
    await expect(resolve({ country: 'DE' })).resolves.toMatchObject({ gateway: 'praxis', source: 'default' });
    catalog.delete('bridgerpay');
    await expect(resolve({ country: 'DE' })).resolves.toMatchObject({ gateway: 'praxis', source: 'default' });
  });

  it('answers 503 when no route serves and there is no default pair', async () => {
    defaultPair = null;
    expect((await failure({ country: 'IT' })).code).toBe(ErrorCode.Unavailable);
    expect(opened).toEqual([]);
  });

  it('answers 503 when the default pair names an inactive gateway and no route serves', async () => {
    catalog.set('praxis', 'inactive');
    expect((await failure({ country: 'FR' })).code).toBe(ErrorCode.Unavailable);
  });

  it('fails over once to the default gateway when the route gateway fails, and stores the served gateway', async () => {
    opens.bridgerpay = fails('timeout');
    const r = await resolve({ country: 'DE' });
    expect(r).toMatchObject({ gateway: 'praxis', source: 'country', failover_from: 'bridgerpay' });
    expect(opened.map((o) => o.key)).toEqual(['bridgerpay', 'praxis']);
    expect(opened[0].req.orderId).toBe(opened[1].req.orderId);
    expect(stored).toEqual([expect.objectContaining({ gateway: 'praxis', failoverFrom: 'bridgerpay' })]);
  });

  it('does not fail over on a refusal: 422 and no session stored', async () => {
    opens.bridgerpay = fails('refused');
    expect((await failure({ country: 'DE' })).code).toBe(ErrorCode.ProviderRefused);
    expect(opened.map((o) => o.key)).toEqual(['bridgerpay']);
    expect(stored).toEqual([]);
  });

  it('has nowhere to fail over when the default gateway itself failed', async () => {
    opens.praxis = fails('provider_error');
    expect((await failure({ country: 'IT' })).code).toBe(ErrorCode.ProviderFailed);
    expect(opened.map((o) => o.key)).toEqual(['praxis']);
  });

  it('reports the fallback gateway when both fail', async () => {
    opens.bridgerpay = fails('network');
    opens.praxis = fails('refused');
    const err = await failure({ country: 'DE' });
    expect(err.code).toBe(ErrorCode.ProviderRefused);
    expect(err.details).toMatchObject({ gateway: 'praxis' });
  });

  it('passes the amount in the currency canonical form, the configured currency by default', async () => {
    await resolve({ country: 'DE', amount: '45.3' });
    await resolve({ country: 'DE', amount: '45.3', currency: 'eur' });
    expect(opened.map((o) => [o.req.amount, o.req.currency])).toEqual([
      ['45.30', 'USD'],
      ['45.30', 'EUR'],
    ]);
  });

  it("refuses an amount with more digits than the currency's minor unit, before any gateway call", async () => {
    const err = await failure({ country: 'DE', amount: '100.5', currency: 'JPY' });
    expect(err.code).toBe(ErrorCode.ValidationFailed);
    expect(err.errors).toEqual([{ field: 'amount', message: 'JPY amounts have at most its minor unit digits' }]);
    expect(opened).toEqual([]);
    await expect(resolve({ country: 'DE', amount: '100', currency: 'JPY' })).resolves.toMatchObject({
      gateway: 'bridgerpay',
    });
  });
});
