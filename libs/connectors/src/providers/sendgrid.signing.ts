import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ConnectorError } from '../connector-error';

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
    if (pub.asymmetricKeyType !== 'ec' || pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256');
    return pub;
  } catch {
    throw new ConnectorError('invalid_config', 'webhook_verification_key is not a P-256 public key (base64 DER or PEM)');
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a signed Event Webhook: ECDSA/SHA-256 over `timestamp + rawBody` (the exact bytes; JSON
 * must not be re-serialized). SendGrid documents no replay window, so `toleranceSeconds` is opt-in.
 * Throws ConnectorError('bad_signature').
 */
export function verifySendgridEventWebhook(
  publicKey: string | KeyObject,
  rawBody: string | Buffer,
  headers: Headers,
  opts: { toleranceSeconds?: number; nowMs?: number } = {},
): void {
  const sig = header(headers, SENDGRID_SIGNATURE_HEADER);
  const ts = header(headers, SENDGRID_TIMESTAMP_HEADER);
  if (!sig || !ts) throw new ConnectorError('bad_signature', 'SendGrid signature or timestamp header missing');
  if (opts.toleranceSeconds !== undefined && Math.abs((opts.nowMs ?? Date.now()) / 1000 - Number(ts)) > opts.toleranceSeconds) {
    throw new ConnectorError('bad_signature', 'SendGrid webhook timestamp outside the accepted window');
  }
  const key = typeof publicKey === 'string' ? sendgridPublicKey(publicKey) : publicKey;
  const ok = verify('sha256', Buffer.concat([Buffer.from(ts, 'utf8'), Buffer.from(rawBody)]), key, Buffer.from(sig, 'base64'));
  if (!ok) throw new ConnectorError('bad_signature', 'SendGrid webhook signature does not match');
}
