import { useCallback, useEffect, useId, useState, type FormEvent, type JSX } from 'react';

import type { Schemas } from '@app/sdk';

import { problemText, useClient } from '../client';
import { ErrorNote, Loading, Page } from '../ui';

type Provider = Schemas['ProviderView'];
type Category = Provider['category'];

const CATEGORIES: { key: Category; label: string }[] = [
  { key: 'email', label: 'Email' },
  { key: 'sms', label: 'SMS' },
  { key: 'voip', label: 'VoIP' },
  { key: 'payment', label: 'Payment' },
  { key: 'kyc', label: 'KYC' },
];

const HEALTH: Record<Provider['health']['state'], { label: string; badge: string }> = {
  closed: { label: 'Healthy', badge: 'badge-ok' },
  half_open: { label: 'Recovering', badge: 'badge-warn' },
  open: { label: 'Failing', badge: 'badge-off' },
};

/** The marketplace: every provider of the catalog, by category, to activate, test, make default or deactivate. */
export function ProvidersPage(): JSX.Element {
  const client = useClient();
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error: failed } = await client.GET('/api/platform/integrations/providers');
    if (data) {
      setProviders(data.providers);
      setError(null);
    } else setError(problemText(failed));
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Page title="Providers">
      <p className="muted">
        Activate a provider with its credentials, test the connection and choose each category&apos;s default. Stored
        secrets are shown masked and are never filled into a form.
      </p>
      {error ? <ErrorNote text={error} /> : null}
      {providers === null && !error ? <Loading /> : null}
      {providers
        ? CATEGORIES.map(({ key, label }) => {
            const list = providers.filter((p) => p.category === key);
            if (!list.length) return null;
            return (
              <section key={key} aria-labelledby={`category-${key}`} className="category">
                <h2 id={`category-${key}`}>{label}</h2>
                <div className="cards">
                  {list.map((p) => (
                    <ProviderCard key={p.key} provider={p} onChanged={load} />
                  ))}
                </div>
              </section>
            );
          })
        : null}
    </Page>
  );
}

function ProviderCard({ provider, onChanged }: { provider: Provider; onChanged: () => Promise<void> }): JSX.Element {
  const client = useClient();
  const id = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  // settings as stored (defaults included); only the ones the operator edits are sent
  const storedSettings = Object.fromEntries(
    provider.setting_fields.map((f) => [f.name, settingText(provider.settings[f.name])]),
  );
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = { key: provider.key };
  const active = provider.status === 'active';
  const health = HEALTH[provider.health.state];

  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setNotice(null);
    setError(null);
    try {
      const failure = await action();
      if (failure) setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const activate = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const credentials = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
      const changed = provider.setting_fields.filter(
        (f) => f.name in edits && edits[f.name].trim() !== storedSettings[f.name],
      );
      // a cleared setting goes back to its default (or to none: the connector's own)
      const settings = changed.length
        ? Object.fromEntries(changed.map((f) => [f.name, edits[f.name].trim() || f.default]))
        : undefined;
      const { data, error: failed } = await client.POST('/api/platform/integrations/providers/{key}/activate', {
        params: { path },
        body: { credentials, ...(settings ? { settings } : {}) },
      });
      if (!data) return problemText(failed);
      setValues({});
      setEdits({});
      setNotice(`${provider.name} is active.`);
      await onChanged();
      return null;
    });
  };
  const test = () =>
    run(async () => {
      const { data, error: failed } = await client.POST('/api/platform/integrations/providers/{key}/test', {
        params: { path },
      });
      if (!data) return `Connection failed: ${problemText(failed)}`;
      setNotice('Connection OK.');
      return null;
    });
  const makeDefault = () =>
    run(async () => {
      const { data, error: failed } = await client.PUT('/api/platform/integrations/categories/{category}/default', {
        params: { path: { category: provider.category } },
        body: { provider: provider.key },
      });
      if (!data) return problemText(failed);
      setNotice(`${provider.name} is the ${provider.category} default.`);
      await onChanged();
      return null;
    });
  const deactivate = () => {
    if (!window.confirm(`Deactivate ${provider.name}? Its stored credentials are kept.`)) return;
    void run(async () => {
      const { data, error: failed } = await client.POST('/api/platform/integrations/providers/{key}/deactivate', {
        params: { path },
      });
      if (!data) return problemText(failed);
      setNotice(`${provider.name} is inactive.`);
      await onChanged();
      return null;
    });
  };

  const stored = Object.entries(provider.credentials);
  return (
    <article className="card provider" aria-labelledby={`${id}-name`} data-provider={provider.key}>
      <header className="provider-head">
        <h3 id={`${id}-name`}>{provider.name}</h3>
        <span className={`badge ${active ? 'badge-ok' : 'badge-off'}`}>{active ? 'Active' : 'Inactive'}</span>
        {provider.is_default ? <span className="badge badge-warn">Default</span> : null}
      </header>
      <p className="muted health">
        Health: <span className={`badge ${health.badge}`}>{health.label}</span> breaker {provider.health.state}
        {', '}error rate {(provider.health.error_rate * 100).toFixed(1)}%
        {provider.health.p95_ms !== null ? `, p95 ${Math.round(provider.health.p95_ms)} ms` : ''}
      </p>
      {stored.length ? (
        <dl className="stored">
          {stored.map(([name, masked]) => (
            <div key={name}>
              <dt>{provider.credential_fields.find((f) => f.name === name)?.label ?? name}</dt>
              <dd>{masked}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      <form onSubmit={activate} className="provider-form" aria-label={`${provider.name} credentials`}>
        {provider.credential_fields.map((field) => (
          <div className="field" key={field.name}>
            <label htmlFor={`${id}-${field.name}`}>{field.label}</label>
            <input
              id={`${id}-${field.name}`}
              name={field.name}
              type={field.secret ? 'password' : 'text'}
              autoComplete={field.secret ? 'new-password' : 'off'}
              value={values[field.name] ?? ''}
              onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
            />
          </div>
        ))}
        {provider.setting_fields.map((field) => (
          <div className="field" key={`setting-${field.name}`}>
            <label htmlFor={`${id}-setting-${field.name}`}>{field.label}</label>
            <input
              id={`${id}-setting-${field.name}`}
              name={`settings.${field.name}`}
              type={isUrlSetting(field.name) ? 'url' : 'text'}
              autoComplete="off"
              placeholder={field.default ?? "the provider's default"}
              value={edits[field.name] ?? storedSettings[field.name]}
              onChange={(e) => setEdits({ ...edits, [field.name]: e.target.value })}
            />
          </div>
        ))}
        <div className="toolbar">
          <button type="submit" className="button button-primary" disabled={busy}>
            Activate
          </button>
          <button type="button" className="button" disabled={busy || !active} onClick={() => void test()}>
            Test connection
          </button>
          {active && !provider.is_default ? (
            <button type="button" className="button" disabled={busy} onClick={() => void makeDefault()}>
              Make default
            </button>
          ) : null}
          {active ? (
            <button type="button" className="button button-danger" disabled={busy} onClick={deactivate}>
              Deactivate
            </button>
          ) : null}
        </div>
      </form>
      <div aria-live="polite">{notice ? <p className="ok-note">{notice}</p> : null}</div>
      {error ? <ErrorNote text={error} /> : null}
    </article>
  );
}

/** A stored setting as an input's text: settings are scalars (string, number, boolean) or absent. */
function settingText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** The settings that hold a URL (as the catalog judges them): `base_url` and every `*_url`. */
function isUrlSetting(name: string): boolean {
  return name === 'base_url' || name.endsWith('_url');
}
