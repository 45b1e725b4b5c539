import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../http';
import type { ConnectorConfig } from '../types';

/** v2 is the version the help centre and the community connector use (PROVIDERS.md §2). */
const API = 'https://api.bridgerpay.com/v2';
export const BRIDGERPAY_DEFAULT_EMBED_SCRIPT = 'https://embed.bridgerpay.com/connector.min.js';

/** Every BridgerPay answer: `{response: {status, code, message}, result}`. */
export interface BridgerpayEnvelope<T> {
  response?: { status?: string; code?: number; message?: string };
  result?: T;
}

/** `response.message` (e.g. `login_failue`, `validation_error`) plus field errors when `result` lists them. */
export function bridgerpayReason(text: string, status: number): string {
  try {
    const env = JSON.parse(text) as BridgerpayEnvelope<unknown>;
    const msg = env.response?.message;
    const details = Array.isArray(env.result)
      ? env.result.map((e: unknown) => (e && typeof e === 'object' ? Object.values(e as Record<string, unknown>).filter((v) => typeof v === 'string').join(' ') : '')).filter(Boolean)
      : [];
    if (typeof msg === 'string' && msg) return `BridgerPay: ${msg}${details.length ? ` (${details.join('; ')})` : ''}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `BridgerPay answered HTTP ${status}`;
}

/** JSON call to the BridgerPay API; `token` adds the Bearer header. Exported for the payments issue. */
export async function bridgerpayRequest<T>(config: ConnectorConfig, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status < 200 || res.status > 299) throw failFromStatus(res.status, bridgerpayReason(res.text, res.status), res.headers);
  const env = res.json<BridgerpayEnvelope<T>>();
  if (env.response?.status !== undefined && env.response.status !== 'OK') throw failFromStatus(env.response.code ?? 400, bridgerpayReason(res.text, res.status));
  if (env.result === undefined) throw new ConnectorError('provider_error', 'BridgerPay: answer without a result');
  return env.result;
}

/** `POST /v2/auth/login`: a JWT valid for `expiresIn` seconds (7200 documented). */
export async function bridgerpayLogin(config: ConnectorConfig): Promise<{ token: string; expiresIn: number }> {
  const result = await bridgerpayRequest<{ access_token?: { token?: string; expires_in?: number } }>(config, 'POST', '/auth/login', {
    user_name: requireCredential(config, 'username'),
    password: requireCredential(config, 'password'),
  });
  const token = result.access_token?.token;
  if (!token) throw new ConnectorError('provider_error', 'BridgerPay: login answer without an access token');
  return { token, expiresIn: result.access_token?.expires_in ?? 7200 };
}

export const connector: Connector = {
  manifest: {
    key: 'bridgerpay',
    name: 'BridgerPay',
    category: 'payment',
    credential_fields: [
      { name: 'username', label: 'API username', secret: false, required: true },
      { name: 'password', label: 'API password', secret: true, required: true },
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'cashier_key', label: 'Cashier key', secret: false, required: true },
    ],
    settings: [{ name: 'embed_script_url', label: 'Cashier embed script URL', default: BRIDGERPAY_DEFAULT_EMBED_SCRIPT }],
  },

  /** The login call. api_key and cashier_key are only used by session creation, so only their presence is checked. */
  async test(config) {
    requireCredential(config, 'api_key');
    requireCredential(config, 'cashier_key');
    await bridgerpayLogin(config);
  },
};
