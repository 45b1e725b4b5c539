import { createHash } from 'node:crypto';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../../http';
import type { EmailPort } from '../../ports/email.port';
import type { ConnectorConfig } from '../../types';
import { buildMime } from './gmail.mime';

const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const API = 'https://gmail.googleapis.com';
/** Scopes that allow users.messages.send. */
const SEND_SCOPES = [
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.compose',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://mail.google.com/',
];
/** OAuth errors that mean "these credentials no longer work; reconnect" whatever the HTTP status. */
const AUTH_ERRORS = ['invalid_grant', 'invalid_client', 'unauthorized_client'];

/**
 * A token_url other than Google's is used verbatim; otherwise Google's endpoint with settings.base_url
 * applied (a stored default token_url must not send a fake-backed config to the real Google).
 */
export function gmailTokenUrl(config: ConnectorConfig): string {
  const t = config.settings?.token_url;
  return typeof t === 'string' && t !== '' && t !== TOKEN_URL ? t : baseUrl(config, TOKEN_URL);
}

/** Google's two error shapes: OAuth `{error, error_description}` and API `{error: {code, message, status}}`. */
function googleError(text: string): { code?: string; message?: string } {
  try {
    const { error: e, error_description: desc } = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof e === 'string') return { code: e, message: typeof desc === 'string' && desc ? `${e}: ${desc}` : e };
    if (e && typeof e === 'object') {
      const { message, status } = e as { message?: unknown; status?: unknown };
      return {
        code: typeof status === 'string' ? status : undefined,
        message: typeof message === 'string' ? message : undefined,
      };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

function fail(status: number, text: string, headers: Headers): ConnectorError {
  const { code, message } = googleError(text);
  const reason = `Google: ${message ?? `HTTP ${status}`}`;
  if (code && AUTH_ERRORS.includes(code)) return new ConnectorError('auth', reason, { httpStatus: status });
  return failFromStatus(status, reason, headers);
}

/** Refresh-token grant: a fresh access token (exported for its spec). */
export async function gmailAccessToken(
  config: ConnectorConfig,
  timeoutMs?: number,
): Promise<{ accessToken: string; expiresIn: number; scope?: string }> {
  const form = new URLSearchParams({
    client_id: requireCredential(config, 'client_id'),
    client_secret: requireCredential(config, 'client_secret'),
    refresh_token: requireCredential(config, 'refresh_token'),
    grant_type: 'refresh_token',
  });
  const res = await providerFetch(gmailTokenUrl(config), {
    method: 'POST',
    timeoutMs,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: form.toString(),
  });
  if (res.status < 200 || res.status > 299) throw fail(res.status, res.text, res.headers);
  const t = res.json<{ access_token?: string; expires_in?: number; scope?: string }>();
  if (!t.access_token) throw new ConnectorError('provider_error', 'Google: token answer without an access_token');
  return { accessToken: t.access_token, expiresIn: t.expires_in ?? 3600, scope: t.scope };
}

/** Gmail API call with an access token (path from /gmail/v1/...). */
export async function gmailRequest<T>(
  config: ConnectorConfig,
  accessToken: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs?: number,
): Promise<T> {
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, {
    method,
    timeoutMs,
    headers: {
      Authorization: `Bearer ${accessToken}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status < 200 || res.status > 299) throw fail(res.status, res.text, res.headers);
  return res.json<T>();
}

/**
 * Access tokens per (token endpoint, client, refresh token), kept until a minute before they expire, so a
 * send costs one call, not two. Concurrent sends share one refresh. A rotated credential is a new key.
 */
const tokens = new Map<string, Promise<{ accessToken: string; expiresAt: number }>>();

function tokenCacheKey(config: ConnectorConfig): string {
  const c = config.credentials ?? {};
  return createHash('sha256')
    .update([gmailTokenUrl(config), c.client_id, c.client_secret, c.refresh_token].join('\n'))
    .digest('hex');
}

export async function cachedGmailAccessToken(config: ConnectorConfig, timeoutMs?: number): Promise<string> {
  const key = tokenCacheKey(config);
  const hit = tokens.get(key);
  if (hit) {
    const t = await hit.catch(() => null);
    if (t && t.expiresAt > Date.now()) return t.accessToken;
    if (tokens.get(key) === hit) tokens.delete(key);
  }
  const p = gmailAccessToken(config, timeoutMs).then((t) => ({
    accessToken: t.accessToken,
    expiresAt: Date.now() + (t.expiresIn - 60) * 1000,
  }));
  tokens.set(key, p);
  p.catch(() => {
    if (tokens.get(key) === p) tokens.delete(key);
  });
  return (await p).accessToken;
}

export function forgetGmailAccessToken(config: ConnectorConfig): void {
  tokens.delete(tokenCacheKey(config));
}

/** users.messages.send with a base64url RFC 2822 message; 200 means accepted by Gmail: `sent`, never `delivered`. */
const email: EmailPort = {
  async send(config, mail, opts) {
    const sender = requireCredential(config, 'sender_email');
    // Gmail sends as the authorised account; another from_email becomes Reply-To rather than a From Gmail would rewrite.
    const replyTo =
      mail.fromEmail && mail.fromEmail.toLowerCase() !== sender.toLowerCase() ? mail.fromEmail : undefined;
    const raw = Buffer.from(
      await buildMime({
        from: { email: sender, name: mail.fromName },
        to: mail.to,
        replyTo,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
      }),
      'utf8',
    ).toString('base64url');
    const post = async () =>
      gmailRequest<{ id?: string }>(
        config,
        await cachedGmailAccessToken(config, opts.timeoutMs),
        'POST',
        '/gmail/v1/users/me/messages/send',
        { raw },
        opts.timeoutMs,
      );
    let sent: { id?: string };
    try {
      sent = await post();
    } catch (err) {
      // An access token revoked or expired early: refresh once and retry.
      if (!(err instanceof ConnectorError) || err.options.httpStatus !== 401) throw err;
      forgetGmailAccessToken(config);
      sent = await post();
    }
    return { providerMessageId: sent.id ?? null, status: 'sent', providerStatus: 'SENT' };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'gmail',
    name: 'Gmail',
    category: 'email',
    credential_fields: [
      { name: 'client_id', label: 'OAuth client ID', secret: false, required: true },
      { name: 'client_secret', label: 'OAuth client secret', secret: true, required: true },
      { name: 'refresh_token', label: 'Refresh token', secret: true, required: true },
      { name: 'sender_email', label: 'Sender email address', secret: false, required: true },
    ],
    hosts: ['gmail.googleapis.com', 'oauth2.googleapis.com'],
    settings: [{ name: 'token_url', label: 'OAuth token endpoint', default: TOKEN_URL }],
  },

  /** The refresh-token grant; a token that cannot send mail (wrong scope at consent) is refused too. */
  async test(config) {
    requireCredential(config, 'sender_email');
    const { scope } = await gmailAccessToken(config);
    if (scope !== undefined && !scope.split(' ').some((s) => SEND_SCOPES.includes(s))) {
      throw new ConnectorError(
        'refused',
        'Google: the refresh token was granted without a scope that can send mail (gmail.send)',
      );
    }
  },
  email,
};
