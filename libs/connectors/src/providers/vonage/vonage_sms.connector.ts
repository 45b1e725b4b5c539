import type { CommsStatus } from '@app/contracts';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, mapped, providerFetch, requireCredential } from '../../http';
import type { CallbackResult, InboundCallback, ParseCallback, SendPart } from '../../ports/delivery.port';
import type { SmsPort } from '../../ports/sms.port';
import type { ConnectorConfig } from '../../types';
import { signatureMethod, verifyVonageSignature, VONAGE_WINDOW_SECONDS } from './vonage.signing';

const API = 'https://rest.nexmo.com';

/** Delivery receipt `status` values (SMS API reference) onto ours. */
export const DLR_STATUS: Record<string, CommsStatus | null> = {
  accepted: 'sent',
  buffered: 'sent',
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
  unknown: null,
};

/** Every DLR status Vonage documents (for the conformance kit). */
export const VONAGE_DLR_STATUSES = Object.keys(DLR_STATUS);

/**
 * The send answer's per-message `status` codes (SMS API reference): "0" is success; 1 (throttled), 5
 * (internal error) and 10 (too many binds) are worth another provider; 4 and 14 are our credentials;
 * anything else (missing/invalid parameters, barred number, quota, message too long, invalid sender,
 * callback URL, non-whitelisted destination...) refuses this message.
 */
export function vonageSendError(status: string, text: string | undefined): ConnectorError {
  const reason = `Vonage status ${status}${text ? `: ${text.slice(0, 300)}` : ''}`;
  if (status === '1') return new ConnectorError('rate_limited', reason);
  if (status === '5' || status === '10') return new ConnectorError('provider_error', reason);
  if (status === '4' || status === '14') return new ConnectorError('auth', reason);
  return new ConnectorError('refused', reason);
}

interface VonageMessage {
  to?: string;
  'message-id'?: string;
  status?: string;
  'error-text'?: string;
}

const sms: SmsPort = {
  async send(config, message, opts) {
    const apiKey = requireCredential(config, 'api_key');
    const apiSecret = requireCredential(config, 'api_secret');
    const from = requireCredential(config, 'from');
    // the callback without our query: Vonage signs its own fields only, and client-ref carries our id
    const callback = opts.statusCallbackUrl.split('?')[0];
    const form = new URLSearchParams({
      api_key: apiKey,
      api_secret: apiSecret,
      from,
      to: message.to.replace(/^\+/, ''),
      text: message.body,
      'client-ref': message.messageId,
      callback,
      'status-report-req': '1',
    });
    // outside printable ASCII the text goes as UCS-2, or it would be mangled
    if (/[^\x20-\x7e\r\n]/.test(message.body)) form.set('type', 'unicode');
    const res = await providerFetch(`${baseUrl(config, API)}/sms/json`, {
      method: 'POST',
      timeoutMs: opts.timeoutMs,
      headers: { accept: 'application/json' },
      body: form,
    });
    if (res.status < 200 || res.status > 299)
      throw failFromStatus(res.status, `Vonage answered HTTP ${res.status}`, res.headers);
    const messages = res.json<{ messages?: VonageMessage[] }>().messages ?? [];
    if (!messages.length) throw new ConnectorError('provider_error', 'Vonage answered no messages');
    const ok = messages.filter((m) => m.status === '0' && m['message-id']);
    if (!ok.length) {
      const bad = messages.find((m) => m.status !== '0') ?? messages[0];
      throw vonageSendError(bad.status ?? '?', bad['error-text']);
    }
    // one message-id per part; a part Vonage refused while others went is a failed part
    const parts: SendPart[] = messages.map((m, i) =>
      m.status === '0' && m['message-id']
        ? { providerMessageId: m['message-id'], status: 'sent', providerStatus: '0' }
        : { providerMessageId: `refused:${message.messageId}:${i}`, status: 'failed', providerStatus: m.status ?? '?' },
    );
    const failed = parts.some((p) => p.status === 'failed');
    return {
      providerMessageId: ok[0]['message-id']!,
      status: failed ? 'failed' : 'sent',
      providerStatus: failed ? 'part refused' : '0',
      parts,
    };
  },
  parseCallback: parseVonageDlr,
};

/** A DLR's fields: the query of a GET, or a form or JSON POST body (the dashboard's three methods). */
function dlrParams(cb: InboundCallback): Record<string, string> {
  const out: Record<string, string> = {};
  const text = cb.body.toString('utf8');
  if (cb.method.toUpperCase() === 'GET' || text === '') {
    try {
      for (const [k, v] of new URL(cb.url).searchParams) out[k] = v;
    } catch {
      /* no query */
    }
    return out;
  }
  if ((cb.headers['content-type'] ?? '').includes('json') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConnectorError('bad_signature', 'Vonage DLR body is not JSON (unsigned)');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ConnectorError('bad_signature', 'Vonage DLR body is not an object');
    for (const [k, v] of Object.entries(parsed)) if (v !== null && v !== undefined) out[k] = String(v);
    return out;
  }
  for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  return out;
}

export function vonageDlrParser(now: () => number = Date.now): ParseCallback {
  return (config, cb) => parseVonageDlrAt(config, cb, now);
}

export function parseVonageDlr(config: ConnectorConfig, cb: InboundCallback): CallbackResult {
  return parseVonageDlrAt(config, cb, Date.now);
}

function parseVonageDlrAt(config: ConnectorConfig, cb: InboundCallback, now: () => number): CallbackResult {
  const secret = config.credentials?.signature_secret;
  if (!secret) throw new ConnectorError('bad_signature', 'no Vonage signature_secret is configured');
  const p = dlrParams(cb);
  verifyVonageSignature(secret, p, signatureMethod(config.settings?.signature_method), now);
  if (p['api-key'] && config.credentials?.api_key && p['api-key'] !== config.credentials.api_key)
    throw new ConnectorError('bad_signature', 'Vonage DLR is for another API key');
  const id = p.messageId;
  const status = p.status;
  if (!id || !status) throw new ConnectorError('refused', 'Vonage DLR without messageId or status');
  const details: Record<string, unknown> = {};
  if (p['err-code'] && p['err-code'] !== '0') details.error_code = p['err-code'];
  if (p['network-code']) details.network_code = p['network-code'];
  const at = p['message-timestamp'] ? new Date(`${p['message-timestamp'].replace(' ', 'T')}Z`) : new Date();
  return {
    events: [
      {
        providerEventId: `${id}:${status}:${p['err-code'] ?? ''}`,
        messageId: p['client-ref'],
        providerMessageId: id,
        status: mapped(DLR_STATUS, status) ?? null,
        providerStatus: status,
        at: Number.isNaN(at.getTime()) ? new Date() : at,
        details: Object.keys(details).length ? details : undefined,
      },
    ],
    // the nonce is signed: a captured DLR resent within the window is a duplicate, never a second event
    ...(p.nonce ? { replayGuard: { token: p.nonce, ttlMs: 2 * VONAGE_WINDOW_SECONDS * 1000 + 60_000 } } : {}),
  };
}

export const connector: Connector = {
  manifest: {
    key: 'vonage_sms',
    name: 'Vonage SMS',
    category: 'sms',
    credential_fields: [
      { name: 'api_key', label: 'API key', secret: false, required: true },
      { name: 'api_secret', label: 'API secret', secret: true, required: true },
      // optional because sending works without; every delivery receipt is refused until it is set
      { name: 'signature_secret', label: 'Signature secret (signed webhooks)', secret: true, required: false },
      { name: 'from', label: 'Sender (number without + or alphanumeric sender ID)', secret: false, required: true },
    ],
    hosts: ['rest.nexmo.com'],
    settings: [
      {
        name: 'signature_method',
        label: 'Signature method of the account: md5hash, md5, sha1, sha256 or sha512 (HMAC)',
        default: 'sha256',
      },
    ],
  },

  /** GET /account/get-balance: proves the key and secret (401 otherwise). */
  async test(config) {
    signatureMethod(config.settings?.signature_method);
    const q = new URLSearchParams({
      api_key: requireCredential(config, 'api_key'),
      api_secret: requireCredential(config, 'api_secret'),
    });
    const res = await providerFetch(`${baseUrl(config, API)}/account/get-balance?${q.toString()}`, {
      headers: { accept: 'application/json' },
    });
    if (res.status < 200 || res.status > 299)
      throw failFromStatus(res.status, `Vonage answered HTTP ${res.status}`, res.headers);
    if (typeof res.json<{ value?: unknown }>().value !== 'number')
      throw new ConnectorError('provider_error', 'Vonage answered no balance');
  },
  sms,
};
