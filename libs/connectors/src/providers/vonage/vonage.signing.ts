import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';

// Vonage SMS API signed webhooks (docs/providers/vonage_sms.md): every parameter but `sig`, sorted by
// name, written as `&name=value` with `&` and `=` in values replaced by `_`; `md5hash` is the lower-case
// MD5 of that string followed by the signature secret, the HMAC methods the upper-case hex HMAC of the
// string keyed by the secret. The signed `timestamp` (Unix seconds) must be recent.

export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

/** How far a signed timestamp may be from our clock, either way. */
export const VONAGE_WINDOW_SECONDS = 15 * 60;

export function vonageSignedString(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sig')
    .sort()
    .map((k) => `&${k}=${params[k].replace(/[&=]/g, '_')}`)
    .join('');
}

export function vonageSignature(
  secret: string,
  params: Record<string, string>,
  method: VonageSignatureMethod = 'sha256',
): string {
  const s = vonageSignedString(params);
  if (method === 'md5hash')
    return createHash('md5')
      .update(s + secret)
      .digest('hex');
  return createHmac(method, secret).update(s).digest('hex').toUpperCase();
}

export function signatureMethod(value: unknown): VonageSignatureMethod {
  const m = value ?? 'sha256';
  if (typeof m !== 'string' || !(VONAGE_SIGNATURE_METHODS as readonly string[]).includes(m))
    throw new ConnectorError(
      'invalid_config',
      `setting signature_method must be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}`,
    );
  return m as VonageSignatureMethod;
}

/** Verifies `sig` (case as Vonage writes it for the method) and the timestamp window; throws bad_signature. */
export function verifyVonageSignature(
  secret: string,
  params: Record<string, string>,
  method: VonageSignatureMethod,
  now: () => number = Date.now,
): void {
  const given = params.sig;
  if (!given) throw new ConnectorError('bad_signature', 'Vonage webhook is not signed (no sig)');
  const expected = Buffer.from(vonageSignature(secret, params, method), 'utf8');
  const got = Buffer.from(given, 'utf8');
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    throw new ConnectorError('bad_signature', 'Vonage sig does not match');
  const ts = params.timestamp;
  if (!ts || !/^\d{1,12}$/.test(ts))
    throw new ConnectorError('bad_signature', 'Vonage webhook has no signed timestamp');
  if (Math.abs(now() / 1000 - Number(ts)) > VONAGE_WINDOW_SECONDS)
    throw new ConnectorError(
      'bad_signature',
      `Vonage timestamp is outside the ${VONAGE_WINDOW_SECONDS / 60} min window`,
    );
}
