import { useCallback, useEffect, useMemo, useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page, scrollRegion } from '../ui';

type Route = Schemas['RouteView'];
type Pair = Schemas['DefaultRouteView'];
type Resolution = Schemas['ResolutionView'];

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** `Brazil` for `BR`; empty for a code that is not a region. */
function countryName(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return '';
  try {
    return regionNames.of(code.toUpperCase()) ?? '';
  } catch {
    return '';
  }
}

/** Payment routing: a gateway pair per country, the default pair, and a preview of what a payment resolves to. */
export function RoutingPage(): JSX.Element {
  const client = useClient();
  const [routes, setRoutes] = useState<Route[] | null>(null);
  const [defaults, setDefaults] = useState<Pair | null>(null);
  const [gateways, setGateways] = useState<Schemas['ProviderView'][]>([]);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Route | null>(null);

  const load = useCallback(async () => {
    const [list, providers] = await Promise.all([
      client.GET('/api/platform/payments/routing'),
      client.GET('/api/platform/integrations/providers', { params: { query: { category: 'payment' } } }),
    ]);
    if (!list.data) return setError(problemText(list.error));
    setRoutes(list.data.routes);
    setDefaults(list.data.default);
    if (providers.data) setGateways(providers.data.providers);
    setError(null);
  }, [client]);
  useEffect(() => {
    void load();
  }, [load]);

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (!routes) return [];
    if (!q) return routes;
    return routes.filter(
      (r) => r.country.toLowerCase().includes(q) || countryName(r.country).toLowerCase().includes(q),
    );
  }, [routes, search]);

  const toggle = async (route: Route) => {
    const { data, error: failed } = await client.PUT('/api/platform/payments/routing/{country}', {
      params: { path: { country: route.country } },
      body: {
        deposit_gateway: route.deposit_gateway,
        withdrawal_gateway: route.withdrawal_gateway,
        is_active: !route.is_active,
        note: route.note,
      },
    });
    if (!data) return setError(problemText(failed));
    await load();
  };
  const remove = async (route: Route) => {
    if (
      !window.confirm(
        `Delete the route of ${countryName(route.country) || route.country}? It falls back to the default pair.`,
      )
    )
      return;
    const { error: failed, response } = await client.DELETE('/api/platform/payments/routing/{country}', {
      params: { path: { country: route.country } },
    });
    if (!response.ok) return setError(problemText(failed));
    await load();
  };

  const keys = gateways.map((g) => g.key);
  return (
    <Page title="Payment routing">
      <p className="muted">
        Which payment gateway serves deposits and withdrawals in each country. A country without an active route uses
        the default pair.
      </p>
      {error ? <ErrorNote text={error} /> : null}
      {routes === null && !error ? <Loading /> : null}
      {defaults ? <DefaultPair pair={defaults} gateways={keys} onSaved={load} /> : null}
      {routes ? (
        <section aria-labelledby="routes-heading">
          <h2 id="routes-heading">Country routes</h2>
          <div className="toolbar">
            <div className="field">
              <label htmlFor="route-search">Search countries</label>
              <input
                id="route-search"
                type="search"
                placeholder="Name or code"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            </div>
          </div>
          <div {...scrollRegion}>
            <table className="table">
              <caption>
                {shown.length} of {routes.length} country routes
              </caption>
              <thead>
                <tr>
                  <th scope="col">Country</th>
                  <th scope="col">Deposit gateway</th>
                  <th scope="col">Withdrawal gateway</th>
                  <th scope="col">Active</th>
                  <th scope="col">Note</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => {
                  const name = countryName(r.country) || r.country;
                  return (
                    <tr key={r.country}>
                      <th scope="row">
                        {name} <span className="muted">({r.country})</span>
                      </th>
                      <td>{r.deposit_gateway}</td>
                      <td>{r.withdrawal_gateway}</td>
                      <td>
                        <input
                          type="checkbox"
                          checked={r.is_active}
                          aria-label={`${name} route active`}
                          onChange={() => void toggle(r)}
                        />
                      </td>
                      <td>{r.note ?? ''}</td>
                      <td className="actions">
                        <button type="button" className="button" onClick={() => setEditing(r)}>
                          Edit <span className="visually-hidden">{name}</span>
                        </button>
                        <button type="button" className="button button-danger" onClick={() => void remove(r)}>
                          Delete <span className="visually-hidden">{name}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <div className="two-col">
        <RouteForm key={editing?.country ?? 'new'} route={editing} gateways={keys} onSaved={load} />
        <Preview />
      </div>
    </Page>
  );
}

function GatewaySelect(props: {
  id: string;
  label: string;
  value: string;
  gateways: string[];
  onChange: (value: string) => void;
}): JSX.Element {
  const options =
    props.value && !props.gateways.includes(props.value) ? [props.value, ...props.gateways] : props.gateways;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} required value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Choose…</option>
        {options.map((key) => (
          <option key={key} value={key}>
            {key}
          </option>
        ))}
      </select>
    </div>
  );
}

function DefaultPair({ pair, gateways, onSaved }: { pair: Pair; gateways: string[]; onSaved: () => Promise<void> }) {
  const client = useClient();
  const [deposit, setDeposit] = useState(pair.deposit_gateway ?? '');
  const [withdrawal, setWithdrawal] = useState(pair.withdrawal_gateway ?? '');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const { data, error: failed } = await client.PUT('/api/platform/payments/routing/default', {
      body: { deposit_gateway: deposit, withdrawal_gateway: withdrawal },
    });
    if (!data) return setError(problemText(failed));
    setNotice('Default pair saved.');
    await onSaved();
  };
  return (
    <section aria-labelledby="default-heading" className="card">
      <h2 id="default-heading">Default pair</h2>
      <p>
        Deposits: <strong>{pair.deposit_gateway ?? 'none'}</strong>, withdrawals:{' '}
        <strong>{pair.withdrawal_gateway ?? 'none'}</strong>
      </p>
      <form className="form-row" aria-label="Default pair" onSubmit={(e) => void save(e)}>
        <GatewaySelect
          id="default-deposit"
          label="Default deposit gateway"
          value={deposit}
          gateways={gateways}
          onChange={setDeposit}
        />
        <GatewaySelect
          id="default-withdrawal"
          label="Default withdrawal gateway"
          value={withdrawal}
          gateways={gateways}
          onChange={setWithdrawal}
        />
        <button type="submit" className="button button-primary">
          Save default
        </button>
      </form>
      <div aria-live="polite">{notice ? <p className="ok-note">{notice}</p> : null}</div>
      {error ? <ErrorNote text={error} /> : null}
    </section>
  );
}

function RouteForm({
  route,
  gateways,
  onSaved,
}: {
  route: Route | null;
  gateways: string[];
  onSaved: () => Promise<void>;
}) {
  const client = useClient();
  const [country, setCountry] = useState(route?.country ?? '');
  const [deposit, setDeposit] = useState(route?.deposit_gateway ?? '');
  const [withdrawal, setWithdrawal] = useState(route?.withdrawal_gateway ?? '');
  const [active, setActive] = useState(route?.is_active ?? true);
  const [note, setNote] = useState(route?.note ?? '');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const code = country.trim().toUpperCase();
    const { data, error: failed } = await client.PUT('/api/platform/payments/routing/{country}', {
      params: { path: { country: code } },
      body: { deposit_gateway: deposit, withdrawal_gateway: withdrawal, is_active: active, note: note.trim() || null },
    });
    if (!data) return setError(problemText(failed));
    setNotice(`Route of ${countryName(data.country) || data.country} saved.`);
    await onSaved();
  };
  const name = countryName(country);
  return (
    <section aria-labelledby="route-form-heading" className="card">
      <h2 id="route-form-heading">
        {route ? `Edit the route of ${countryName(route.country) || route.country}` : 'Add a route'}
      </h2>
      <form className="stack" aria-label="Route" onSubmit={(e) => void save(e)}>
        <div className="field">
          <label htmlFor="route-country">Country</label>
          <input
            id="route-country"
            required
            maxLength={2}
            pattern="[A-Za-z]{2}"
            placeholder="BR"
            aria-describedby="route-country-name"
            value={country}
            onChange={(e) => setCountry(e.target.value)}
          />
          <span id="route-country-name" className="muted">
            {name || 'ISO 3166-1 alpha-2 code'}
          </span>
        </div>
        <GatewaySelect
          id="route-deposit"
          label="Deposit gateway"
          value={deposit}
          gateways={gateways}
          onChange={setDeposit}
        />
        <GatewaySelect
          id="route-withdrawal"
          label="Withdrawal gateway"
          value={withdrawal}
          gateways={gateways}
          onChange={setWithdrawal}
        />
        <div className="field checkbox">
          <input id="route-active" type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          <label htmlFor="route-active">Active</label>
        </div>
        <div className="field">
          <label htmlFor="route-note">Note</label>
          <input id="route-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div>
          <button type="submit" className="button button-primary">
            Save route
          </button>
        </div>
      </form>
      <div aria-live="polite">{notice ? <p className="ok-note">{notice}</p> : null}</div>
      {error ? <ErrorNote text={error} /> : null}
    </section>
  );
}

function Preview(): JSX.Element {
  const client = useClient();
  const [country, setCountry] = useState('');
  const [direction, setDirection] = useState<'deposit' | 'withdrawal'>('deposit');
  const [amount, setAmount] = useState('100');
  const [currency, setCurrency] = useState('EUR');
  const [customer, setCustomer] = useState('console-preview');
  const [result, setResult] = useState<Resolution | null>(null);
  const [error, setError] = useState<string | null>(null);
  const preview = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    const { data, error: failed } = await client.GET('/payments/gateway', {
      params: {
        query: {
          country: country.trim().toUpperCase(),
          direction,
          amount: amount.trim(),
          currency: currency.trim().toUpperCase(),
          ...(customer.trim() ? { customer_id: customer.trim() } : {}),
        },
      },
    });
    if (!data) return setError(problemText(failed));
    setResult(data);
  };
  return (
    <section aria-labelledby="preview-heading" className="card">
      <h2 id="preview-heading">Resolve preview</h2>
      <p className="muted">Resolves as a payment would: the chosen gateway opens a real cashier session.</p>
      <form className="stack" aria-label="Resolve preview" onSubmit={(e) => void preview(e)}>
        <div className="field">
          <label htmlFor="preview-country">Country</label>
          <input
            id="preview-country"
            required
            maxLength={2}
            placeholder="BR"
            value={country}
            onChange={(e) => setCountry(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="preview-direction">Direction</label>
          <select
            id="preview-direction"
            value={direction}
            onChange={(e) => setDirection(e.target.value === 'withdrawal' ? 'withdrawal' : 'deposit')}
          >
            <option value="deposit">deposit</option>
            <option value="withdrawal">withdrawal</option>
          </select>
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="preview-amount">Amount</label>
            <input id="preview-amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="preview-currency">Currency</label>
            <input id="preview-currency" maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value)} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="preview-customer">Customer ID</label>
          <input id="preview-customer" value={customer} onChange={(e) => setCustomer(e.target.value)} />
        </div>
        <div>
          <button type="submit" className="button button-primary">
            Preview
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {result ? (
          <dl className="resolution">
            <dt>Gateway</dt>
            <dd data-testid="preview-gateway">{result.gateway}</dd>
            <dt>Type</dt>
            <dd data-testid="preview-type">{result.type}</dd>
            <dt>Source</dt>
            <dd data-testid="preview-source">
              {result.source === 'country' ? `country route (${result.country})` : 'default pair'}
            </dd>
            {result.failover_from ? (
              <>
                <dt>Failed over from</dt>
                <dd>{result.failover_from}</dd>
              </>
            ) : null}
          </dl>
        ) : null}
      </div>
      {error ? <ErrorNote text={error} /> : null}
    </section>
  );
}
