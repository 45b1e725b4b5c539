import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../http';
import type { ConnectorConfig } from '../types';
import { sumsubAuthHeaders } from './sumsub.signing';

const API = 'https://api.sumsub.com';
export const SUMSUB_DEFAULT_LEVEL = 'basic-kyc-level';

/** SumSub's error shape: `{description, code, correlationId, ...}`; `description` is the reason. */
function reason(text: string, status: number): string {
  try {
    const d = (JSON.parse(text) as { description?: unknown }).description;
    if (typeof d === 'string' && d) return `Sumsub: ${d}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `Sumsub answered HTTP ${status}`;
}

/**
 * One signed SumSub API call. The JSON body is serialized once and those exact bytes are both signed
 * and sent, since SumSub signs the raw body. Exported for the KYC operations of later issues.
 */
export async function sumsubRequest<T>(config: ConnectorConfig, method: string, pathWithQuery: string, body?: unknown): Promise<T> {
  const appToken = requireCredential(config, 'app_token');
  const secretKey = requireCredential(config, 'secret_key');
  const payload = body === undefined ? '' : JSON.stringify(body);
  const res = await providerFetch(`${baseUrl(config, API)}${pathWithQuery}`, {
    method,
    // SumSub's docs ask for this header even on GETs without a body.
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...sumsubAuthHeaders(appToken, secretKey, method, pathWithQuery, payload) },
    body: payload === '' ? undefined : payload,
  });
  if (res.status < 200 || res.status > 299) throw failFromStatus(res.status, reason(res.text, res.status), res.headers);
  return res.json<T>();
}

export const connector: Connector = {
  manifest: {
    key: 'sumsub',
    name: 'Sumsub',
    category: 'kyc',
    credential_fields: [
      { name: 'app_token', label: 'App token', secret: true, required: true },
      { name: 'secret_key', label: 'Secret key', secret: true, required: true },
      // Required: KYC decisions arrive only by webhook, and an unverifiable webhook cannot be trusted.
      { name: 'webhook_secret', label: 'Webhook secret key', secret: true, required: true },
    ],
    settings: [{ name: 'level_name', label: 'Verification level for new applicants', default: SUMSUB_DEFAULT_LEVEL }],
  },

  /** Lists the project's levels (a cheap signed GET) and checks the configured level exists. */
  async test(config) {
    const levels = await sumsubRequest<{ items?: { name?: string }[] }>(config, 'GET', '/resources/applicants/-/levels');
    const wanted = typeof config.settings?.level_name === 'string' && config.settings.level_name ? config.settings.level_name : undefined;
    if (wanted && !(levels.items ?? []).some((l) => l.name === wanted)) {
      throw new ConnectorError('refused', `Sumsub: level "${wanted}" does not exist in this project`);
    }
  },
};
