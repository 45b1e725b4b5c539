import { createPublicKey, verify, type KeyObject } from 'node:crypto';

import { ConnectorError } from '../../connector-error';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/**
 * The Event Webhook public key as the `webhook_verification_key` credential holds it: SendGrid shows
 * base64 DER (SubjectPublicKeyInfo, P-256); a PEM copy of the same key is accepted too.
 */
export function sendgridPublicKey(key: string): KeyObject {
  const k = key.trim();
  try {
    const pub = k.startsWith('-----BEGIN')
      ? createPublicKey({ key: k, format: 'pem' })
      : createPublicKey({ key: Buffer.from(k.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    if (pub.asymmetricKeyType !== 'ec' || pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error('not P-256');
    return pub;
  } catch {
    throw new ConnectorError(
      'invalid_config',
      'webhook_verification_key is not a P-256 public key (base64 DER or PEM)',
    );
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/** SendGrid retries a failed Event Webhook POST for up to 72 hours: anything older is a replay. */
export const SENDGRID_MAX_AGE_SECONDS = 72 * 3600;
/** Clock skew allowed for a timestamp ahead of ours. */
export const SENDGRID_MAX_FUTURE_SECONDS = 300;

export interface SendgridVerifyOptions {
  /** Oldest accepted timestamp, seconds before now (default 72 hours). */
  maxAgeSeconds?: number;
  /** Furthest accepted timestamp ahead of now (default 5 minutes). */
  maxFutureSeconds?: number;
  /** The clock, injectable so the published test vectors (signed in 2023) still verify in tests. */
  now?: () => number;
}

/**
 * Verifies a signed Event Webhook: ECDSA/SHA-256 over `timestamp + rawBody` (the exact bytes; JSON
 * must not be re-serialized), with the timestamp inside [now - 72 h, now + 5 min]. SendGrid documents
 * no replay window; 72 hours is its retry horizon, so a genuine retry is never refused.
 * Throws ConnectorError('bad_signature').
 */
export function verifySendgridEventWebhook(
  publicKey: string | KeyObject,
  rawBody: string | Buffer,
  headers: Headers,
  opts: SendgridVerifyOptions = {},
): void {
  const sig = header(headers, SENDGRID_SIGNATURE_HEADER);
  const ts = header(headers, SENDGRID_TIMESTAMP_HEADER);
  if (!sig || !ts) throw new ConnectorError('bad_signature', 'SendGrid signature or timestamp header missing');
  const seconds = /^\d{1,12}$/.test(ts) ? Number(ts) : NaN;
  const now = (opts.now ?? Date.now)() / 1000;
  const maxAge = opts.maxAgeSeconds ?? SENDGRID_MAX_AGE_SECONDS;
  const maxFuture = opts.maxFutureSeconds ?? SENDGRID_MAX_FUTURE_SECONDS;
  if (!Number.isFinite(seconds) || seconds < now - maxAge || seconds > now + maxFuture) {
    throw new ConnectorError(
      'bad_signature',
      'SendGrid webhook timestamp outside the accepted window (72 hours back, 5 minutes ahead)',
    );
  }
  const key = typeof publicKey === 'string' ? sendgridPublicKey(publicKey) : publicKey;
  const ok = verify(
    'sha256',
    Buffer.concat([Buffer.from(ts, 'utf8'), Buffer.from(rawBody)]),
    key,
    Buffer.from(sig, 'base64'),
  );
  if (!ok) throw new ConnectorError('bad_signature', 'SendGrid webhook signature does not match');
}
