import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, mapped, providerFetch, requireCredential, type ProviderResponse } from '../../http';
import type { ConnectorConfig } from '../../types';

// Zadarma's API (docs/providers/zadarma.md): request signing, the signed GET, and webhook signature verification.

export const ZADARMA_API = 'https://api.zadarma.com';

/**
 * PHP `http_build_query` of the params sorted by key (what Zadarma signs): RFC 1738, spaces as `+`,
 * and, unlike encodeURIComponent/URLSearchParams, `!'()*~` percent-encoded too.
 */
export function zadarmaQuery(params: Record<string, string>): string {
  const enc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k])}`)
    .join('&');
}

/** base64 of the lowercase *hex text* of HMAC-SHA1(secret, methodPath + qs + md5hex(qs)). */
export function zadarmaSignature(secret: string, methodPath: string, params: Record<string, string>): string {
  const qs = zadarmaQuery(params);
  const hex = createHmac('sha1', secret)
    .update(methodPath + qs + createHash('md5').update(qs).digest('hex'))
    .digest('hex');
  return Buffer.from(hex).toString('base64');
}

/** The `Authorization: <userKey>:<signature>` value. */
export function zadarmaAuthorization(
  apiKey: string,
  secret: string,
  methodPath: string,
  params: Record<string, string>,
): string {
  return `${apiKey}:${zadarmaSignature(secret, methodPath, params)}`;
}

function zadarmaReason(res: ProviderResponse): string {
  try {
    const m = res.json<{ message?: unknown }>().message;
    if (typeof m === 'string' && m) return m;
  } catch {
    // Not JSON: fall back to the status.
  }
  return `HTTP ${res.status}`;
}

/**
 * Signed GET of a `/v1/.../` method. `format=json` is added and signed, as the official SDKs do; the
 * query sent is byte-for-byte the signed one. A 200 with `status: "error"` is a refusal too.
 */
export async function zadarmaGet<T extends object>(
  config: ConnectorConfig,
  methodPath: string,
  params: Record<string, string> = {},
  timeoutMs?: number,
): Promise<T> {
  const key = requireCredential(config, 'api_key');
  const secret = requireCredential(config, 'api_secret');
  const all = { ...params, format: 'json' };
  const res = await providerFetch(`${baseUrl(config, ZADARMA_API)}${methodPath}?${zadarmaQuery(all)}`, {
    timeoutMs,
    headers: { authorization: zadarmaAuthorization(key, secret, methodPath, all), accept: 'application/json' },
  });
  if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, zadarmaReason(res), res.headers);
  const body = res.json<T & { status?: string }>();
  if (body.status !== 'success') throw new ConnectorError('refused', zadarmaReason(res));
  return body;
}

// ---- PBX notifications (webhooks) ----

/** The fields each event signs, in order (docs/providers/zadarma.md table). */
const SIGNED_FIELDS: Record<string, string[]> = {
  NOTIFY_START: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_INTERNAL: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_END: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_IVR: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_ANSWER: ['caller_id', 'destination', 'call_start'],
  NOTIFY_OUT_START: ['internal', 'destination', 'call_start'],
  NOTIFY_OUT_END: ['internal', 'destination', 'call_start'],
  NOTIFY_RECORD: ['pbx_call_id', 'call_id_with_rec'],
};

/** The values a notification's `Signature` covers, in order, or undefined for an event we do not know how to verify. */
export function zadarmaSignedValues(fields: URLSearchParams | Record<string, string>): string[] | undefined {
  const get = (k: string) => (fields instanceof URLSearchParams ? fields.get(k) : fields[k]) ?? '';
  return mapped(SIGNED_FIELDS, get('event'))?.map(get);
}

/** The string a notification's `Signature` covers, or undefined for an event we do not know how to verify. */
export function zadarmaWebhookSignedString(fields: URLSearchParams | Record<string, string>): string | undefined {
  const get = (k: string) => (fields instanceof URLSearchParams ? fields.get(k) : fields[k]) ?? '';
  const names = mapped(SIGNED_FIELDS, get('event'));
  return names?.map(get).join('');
}

/** `hex`: base64 of the hex text (docs, PHP SDK); `raw`: base64 of the raw digest (TypeScript SDK). */
export function zadarmaWebhookSignature(secret: string, signedString: string, encoding: 'hex' | 'raw' = 'hex'): string {
  const mac = createHmac('sha1', secret).update(signedString);
  return encoding === 'hex' ? Buffer.from(mac.digest('hex')).toString('base64') : mac.digest('base64');
}

/** Verifies a notification's `Signature` header; both encodings are accepted until live traffic settles it. */
export function verifyZadarmaWebhook(
  secret: string,
  fields: URLSearchParams | Record<string, string>,
  signature: string | undefined,
): boolean {
  const signed = zadarmaWebhookSignedString(fields);
  if (!signature || signed === undefined) return false;
  const got = Buffer.from(signature);
  return (['hex', 'raw'] as const).some((enc) => {
    const want = Buffer.from(zadarmaWebhookSignature(secret, signed, enc));
    return want.length === got.length && timingSafeEqual(want, got);
  });
}
