import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential, type ProviderResponse } from '../../http';
import type { ConnectorConfig, CredentialField } from '../../types';

// Shared by twilio_sms and twilio_voice (same account, auth and signature scheme). Not named
// *.connector.ts on purpose: the registry must not load it as a provider.

/** Every REST path (docs/providers/twilio_sms.md) hangs under this version prefix. */
export const TWILIO_API = 'https://api.twilio.com/2010-04-01';

export function twilioCredentialFields(fromNumberRequired: boolean): CredentialField[] {
  return [
    { name: 'account_sid', label: 'Account SID', secret: false, required: true },
    { name: 'auth_token', label: 'Auth Token', secret: true, required: true },
    { name: 'from_number', label: 'From number (E.164)', secret: false, required: fromNumberRequired },
  ];
}

export function twilioBasicAuth(accountSid: string, authToken: string): string {
  return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
}

/** `{base}/Accounts/{sid}{suffix}` with base_url applied; the SID is encoded so it cannot change the path. */
export function twilioAccountUrl(config: ConnectorConfig, suffix: string): string {
  const sid = requireCredential(config, 'account_sid');
  return `${baseUrl(config, TWILIO_API)}/Accounts/${encodeURIComponent(sid)}${suffix}`;
}

/** Twilio's error body `{code, message, more_info, status, detail?}` as one reason, with no secret in it. */
export function twilioReason(res: ProviderResponse, config: ConnectorConfig): string {
  let reason = `HTTP ${res.status}`;
  try {
    const b = res.json<{ code?: number; message?: string; detail?: string }>();
    if (b && typeof b.message === 'string') {
      reason = `${b.message}${b.detail ? `: ${b.detail}` : ''}${b.code ? ` (Twilio error ${b.code})` : ''}`;
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone is the reason.
  }
  // Belt and braces: a provider echoing a request could put the token in its message.
  const token = config.credentials?.auth_token;
  return token ? reason.split(token).join('****') : reason;
}

/** The `test` of both Twilio connectors: fetch the account (cheap, authenticated, no side effect). */
export async function fetchTwilioAccount(config: ConnectorConfig): Promise<void> {
  const sid = requireCredential(config, 'account_sid');
  const token = requireCredential(config, 'auth_token');
  const res = await providerFetch(twilioAccountUrl(config, '.json'), {
    headers: { authorization: twilioBasicAuth(sid, token), accept: 'application/json' },
  });
  if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, twilioReason(res, config), res.headers);
  // Valid credentials of a suspended or closed account still cannot send: say so instead of "ok".
  const status = res.json<{ status?: string }>().status;
  if (status && status !== 'active') throw new ConnectorError('refused', `Twilio account is ${status}`);
}

// ---- X-Twilio-Signature (docs/providers/twilio_sms.md#x-twilio-signature) ----

export type TwilioParams = URLSearchParams | Record<string, string | string[]>;

function paramMap(params: TwilioParams): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const add = (k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  if (params instanceof URLSearchParams) params.forEach((v, k) => add(k, v));
  else for (const [k, v] of Object.entries(params)) (Array.isArray(v) ? v : [v]).forEach((x) => add(k, x));
  return m;
}

/** base64 HMAC-SHA1(authToken, url + each sorted name followed by its value; repeated names: distinct values sorted). */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  const m = paramMap(params);
  let data = url;
  for (const name of [...m.keys()].sort()) {
    for (const value of [...new Set(m.get(name))].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * Twilio sometimes signs the URL with the default port spelled out and sometimes without, so (like its
 * helper library) both forms are tried. String surgery, not `new URL().toString()`, which would
 * normalise the path and drop default ports, changing the signed bytes.
 */
function portVariants(url: string): string[] {
  const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m;
  const bare = authority.replace(/:\d+$/, '');
  const withPort = /:\d+$/.test(authority) ? authority : `${bare}:${scheme.toLowerCase() === 'https' ? 443 : 80}`;
  return [...new Set([url, `${scheme}://${bare}${rest}`, `${scheme}://${withPort}${rest}`])];
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Form-encoded webhook: `url` must be the public URL Twilio called (scheme, host, port, path, query). */
export function validateTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: TwilioParams,
): boolean {
  if (!signature) return false;
  return portVariants(url).some((u) => safeEqual(twilioSignature(authToken, u, params), signature));
}

/** JSON webhook: the URL carries bodySHA256 (hex SHA-256 of the raw body); only the URL is signed. */
export function validateTwilioJsonSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  rawBody: Buffer | string,
): boolean {
  const expectedHash = /[?&]bodySHA256=([0-9a-fA-F]+)/.exec(url)?.[1];
  if (!expectedHash) return false;
  const actualHash = createHash('sha256').update(rawBody).digest('hex');
  return safeEqual(actualHash, expectedHash.toLowerCase()) && validateTwilioSignature(authToken, signature, url, {});
}
