import { createHmac, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';

/**
 * Veriff's `X-HMAC-SIGNATURE` (docs/providers/veriff.md#signature): lower-case hex HMAC-SHA256 keyed by the
 * integration's shared secret key, over the exact request body for POST/PATCH and webhooks, and over the
 * session id for GET/DELETE.
 */
export function veriffSignature(sharedSecret: string, payload: string | Buffer): string {
  return createHmac('sha256', sharedSecret).update(payload).digest('hex');
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a Veriff webhook over its raw bytes (never a re-serialized JSON). The signature is compared
 * exactly as Veriff writes it (lower-case hex) in constant time: a re-cased, truncated or forged one is
 * refused. When the webhook names an `X-AUTH-CLIENT`, it must be this integration's API key.
 * Throws ConnectorError('bad_signature').
 */
export function verifyVeriffWebhook(
  sharedSecret: string,
  apiKey: string | undefined,
  rawBody: Buffer,
  headers: Headers,
): void {
  const given = header(headers, 'x-hmac-signature');
  if (!given) throw new ConnectorError('bad_signature', 'X-HMAC-SIGNATURE header missing');
  const expected = Buffer.from(veriffSignature(sharedSecret, rawBody), 'utf8');
  const got = Buffer.from(given, 'utf8');
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    throw new ConnectorError('bad_signature', 'X-HMAC-SIGNATURE does not match the body');
  const client = header(headers, 'x-auth-client');
  if (apiKey && client !== undefined) {
    const a = Buffer.from(client, 'utf8');
    const b = Buffer.from(apiKey, 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new ConnectorError('bad_signature', 'X-AUTH-CLIENT is not this integration');
  }
}
