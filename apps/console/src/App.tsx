import { useEffect, useState, type FormEvent, type JSX } from 'react';

import { useSession } from './client';
import { AffiliatesPage } from './pages/AffiliatesPage';
import { AuditPage } from './pages/AuditPage';
import { DeadLettersPage } from './pages/DeadLettersPage';
import { KycPage } from './pages/KycPage';
import { MessagesPage } from './pages/MessagesPage';
import { ProvidersPage } from './pages/ProvidersPage';
import { RoutingPage } from './pages/RoutingPage';
import { ErrorNote, Page } from './ui';

/** Every page, by its hash route (`#/providers`), in the order the navigation lists them. */
const ROUTES: { path: string; label: string; page: () => JSX.Element }[] = [
  { path: '/providers', label: 'Providers', page: ProvidersPage },
  { path: '/routing', label: 'Payment routing', page: RoutingPage },
  { path: '/messages', label: 'Messages', page: MessagesPage },
  { path: '/kyc', label: 'KYC', page: KycPage },
  { path: '/affiliates', label: 'Affiliates', page: AffiliatesPage },
  { path: '/dead-letters', label: 'Dead letters', page: DeadLettersPage },
  { path: '/audit', label: 'Audit', page: AuditPage },
];

function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '');
  return ROUTES.some((r) => r.path === path) ? path : ROUTES[0].path;
}

function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

function SignIn(): JSX.Element {
  const { signIn, notice } = useSession();
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) signIn(key.trim());
  };
  return (
    <Page title="Sign in">
      <p className="muted">Operator console of the Connect platform. Sign in with a platform API key.</p>
      {notice ? <ErrorNote text={notice} /> : null}
      <form className="card sign-in" onSubmit={submit}>
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input
            id="api-key"
            name="api-key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onChange={(e) => setKey(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary">
          Sign in
        </button>
      </form>
    </Page>
  );
}

export function App(): JSX.Element {
  const { apiKey, signOut } = useSession();
  const path = useHashPath();
  if (!apiKey) return <SignIn />;
  const route = ROUTES.find((r) => r.path === path) ?? ROUTES[0];
  const Current = route.page;
  return (
    <>
      <header className="topbar">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <span className="brand">Connect console</span>
        <nav aria-label="Console pages">
          <ul>
            {ROUTES.map((r) => (
              <li key={r.path}>
                <a href={`#${r.path}`} aria-current={r.path === route.path ? 'page' : undefined}>
                  {r.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <Current key={route.path} />
    </>
  );
}
