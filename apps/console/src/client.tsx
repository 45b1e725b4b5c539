import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

import { createPlatformClient, type PlatformClient } from '@app/sdk';

/** The key lives in sessionStorage only: it goes when the tab closes, and never into localStorage or a cookie. */
const STORAGE_KEY = 'console.apiKey';

interface Session {
  apiKey: string | null;
  /** Why the operator is back at sign-in (a rejected key), if they were signed out. */
  notice: string | null;
  signIn: (apiKey: string) => void;
  signOut: (notice?: string) => void;
  client: PlatformClient | null;
}

const SessionContext = createContext<Session | null>(null);

function readKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The SDK client of a signed-in key: same origin as the console; a 401 answer signs out. */
function clientFor(apiKey: string, onUnauthorized: () => void): PlatformClient {
  const client = createPlatformClient({ baseUrl: window.location.origin, apiKey });
  client.use({
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  });
  return client;
}

export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const [apiKey, setApiKey] = useState<string | null>(readKey);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setApiKey(null);
    setNotice(why ?? null);
  }, []);
  const signIn = useCallback((key: string) => {
    sessionStorage.setItem(STORAGE_KEY, key);
    setNotice(null);
    setApiKey(key);
  }, []);
  const client = useMemo(
    () => (apiKey ? clientFor(apiKey, () => signOut('The API key was rejected (401). Sign in again.')) : null),
    [apiKey, signOut],
  );
  const session = useMemo(
    () => ({ apiKey, notice, signIn, signOut, client }),
    [apiKey, notice, signIn, signOut, client],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

/** The SDK client carrying the signed-in key. Only pages shown after sign-in call it. */
export function useClient(): PlatformClient {
  const { client } = useSession();
  if (!client) throw new Error('useClient before sign-in');
  return client;
}

interface ProblemLike {
  title?: unknown;
  detail?: unknown;
  status?: unknown;
  invalid_params?: unknown;
  errors?: unknown;
}

/** One line for an error answer: a problem+json's title, detail and every invalid field with its reason. */
export function problemText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (!error || typeof error !== 'object') return 'The request failed.';
  const p = error as ProblemLike;
  const parts: string[] = [];
  if (typeof p.title === 'string') parts.push(p.title);
  if (typeof p.detail === 'string' && p.detail !== p.title) parts.push(p.detail);
  for (const list of [p.invalid_params, p.errors]) {
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (!item || typeof item !== 'object') continue;
      const { name, field, reason, message } = item as Record<string, unknown>;
      const who = typeof name === 'string' ? name : typeof field === 'string' ? field : '';
      const why = typeof reason === 'string' ? reason : typeof message === 'string' ? message : '';
      if (who || why) parts.push(who && why ? `${who}: ${why}` : who || why);
    }
  }
  return parts.length ? parts.join(' — ') : 'The request failed.';
}
