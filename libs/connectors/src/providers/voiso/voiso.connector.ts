import { createHash, timingSafeEqual } from 'node:crypto';

import { withShownUrl } from '@app/observability';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential, type ProviderResponse } from '../../http';
import type { VoicePort } from '../../ports/voice.port';
import type { ConnectorConfig } from '../../types';
import { voisoCallEvent } from './voiso.events';

// Voiso contact centre (docs/providers/voiso.md). The API host is per tenant: https://{cluster}.voiso.com.

/**
 * The tenant's API origin. `cluster` is the first label of the account URL (e.g. `cc-ams03`); a pasted
 * host or URL is reduced to that label, and anything else is refused so a crafted value cannot point
 * the API key at another host. settings.base_url still wins (sandboxes, local fakes).
 */
export function voisoBaseUrl(config: ConnectorConfig): string {
  const raw = requireCredential(config, 'cluster').trim().toLowerCase();
  const cluster = raw
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\.voiso\.com$/, '');
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(cluster)) {
    throw new ConnectorError('invalid_config', 'credential cluster is not a Voiso cluster name (e.g. cc-ams03)');
  }
  return baseUrl(config, `https://${cluster}.voiso.com`);
}

/** Voiso errors come as `{"errors": "..."}` (string, list or object); other keys tolerated. Never holds the key. */
function voisoReason(res: ProviderResponse, config: ConnectorConfig): string {
  let reason = `HTTP ${res.status}`;
  try {
    const b = res.json<{ errors?: unknown; error?: unknown; message?: unknown }>();
    const e = b.errors ?? b.error ?? b.message;
    if (typeof e === 'string' && e) reason = e;
    else if (Array.isArray(e)) reason = e.map(String).join('; ');
    else if (e && typeof e === 'object') reason = JSON.stringify(e);
  } catch {
    // Not JSON: the status alone.
  }
  // The v1 API carries the key in the URL path, so an echoed URL could contain it.
  const key = config.credentials?.api_key;
  return key ? reason.split(key).join('****') : reason;
}

/**
 * Verifies a webhook by the `secret` field Voiso puts in the JSON body (no HMAC is documented). Returns
 * the parsed payload; throws `bad_signature` when the secret is missing or wrong, or none is configured.
 */
export function verifyVoisoWebhook<T extends object = Record<string, unknown>>(
  rawBody: Buffer | string,
  webhookSecret: string | undefined,
): T {
  if (!webhookSecret) throw new ConnectorError('bad_signature', 'no Voiso webhook_secret is configured');
  let payload: T;
  try {
    payload = JSON.parse(rawBody.toString()) as T;
  } catch {
    throw new ConnectorError('bad_signature', 'Voiso webhook body is not JSON');
  }
  // Hash both sides so the constant-time compare does not leak the secret's length.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const secret = (payload as { secret?: unknown } | null)?.secret;
  const given = typeof secret === 'string' ? secret : '';
  if (!given || !timingSafeEqual(digest(given), digest(webhookSecret))) {
    throw new ConnectorError('bad_signature', 'Voiso webhook secret does not match');
  }
  return payload;
}

/**
 * Click-to-call (v1 click2call, key in the path): the call starts in the agent's panel and dials the lead.
 * `get_call_id=true` makes Voiso answer with the call's uuid, which its webhooks carry as data.id.
 */
const voice: VoicePort = {
  async call(config, call, opts) {
    const base = voisoBaseUrl(config);
    const key = requireCredential(config, 'api_key');
    // the key is in the path: spans show the URL without it
    const res = await withShownUrl(`${base}/api/v1/****/click2call`, () =>
      providerFetch(`${base}/api/v1/${encodeURIComponent(key)}/click2call`, {
        method: 'POST',
        timeoutMs: opts.timeoutMs,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          agent: call.agent,
          number: call.to.replace(/^\+/, ''),
          get_call_id: true,
          ...(call.customerId ? { account_id: call.customerId } : {}),
        }),
      }),
    );
    if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, voisoReason(res, config), res.headers);
    const callId = res.status === 204 ? undefined : res.json<{ call_id?: unknown }>().call_id;
    return {
      providerMessageId: typeof callId === 'string' && callId ? callId : null,
      status: 'initiated',
      providerStatus: `HTTP ${res.status}`,
    };
  },
  parseCallback(config, cb) {
    return { events: [voisoCallEvent(verifyVoisoWebhook(cb.body, config.credentials?.webhook_secret))] };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'voiso',
    name: 'Voiso',
    category: 'voip',
    credential_fields: [
      {
        name: 'cluster',
        label: 'Cluster (first part of your Voiso URL, e.g. cc-ams03)',
        secret: false,
        required: true,
        origin: true,
      },
      { name: 'api_key', label: 'Contact-centre API key', secret: true, required: true },
      // Optional: webhooks need a Pro plan; without the secret calls still work but no webhook is trusted.
      { name: 'webhook_secret', label: 'Webhook secret', secret: true, required: false },
    ],
    hosts: ['*.voiso.com'],
    settings: [],
  },

  async test(config) {
    const base = voisoBaseUrl(config);
    const key = requireCredential(config, 'api_key');
    // The only documented read-only authenticated call (click2call would ring an agent): list users.
    const res = await providerFetch(`${base}/api/v4/users`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    });
    if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, voisoReason(res, config), res.headers);
  },
  voice,
};
