import { hmacBase64, hmacHex } from '@app/vault';

/**
 * The headers that sign one attempt. `X-Webhook-Signature` is the platform's own (hex HMAC-SHA256 of the body);
 * the `webhook-*` trio is Standard Webhooks (HMAC-SHA256 of `id.timestamp.body`, base64), which the
 * reference libraries verify with the key `whsec_` + base64(secret bytes) and which lets a receiver
 * refuse replays by the timestamp. The key is the secret's UTF-8 bytes. `secrets[0]` is the current
 * secret. During a rotation overlap X-Webhook-Signature stays a single `sha256=<hex>` by the current
 * secret (what the API documents and naive receivers compare whole), the previous secret's signature goes
 * in X-Webhook-Signature-Previous, and webhook-signature carries both, space-separated, as the
 * standard defines for rotations.
 */
export function signatureHeaders(
  webhookId: string,
  timestampSec: number,
  body: string,
  secrets: string[],
): Record<string, string> {
  const signed = `${webhookId}.${timestampSec}.${body}`;
  return {
    'x-webhook-signature': `sha256=${hmacHex('sha256', Buffer.from(secrets[0], 'utf8'), body)}`,
    ...(secrets[1]
      ? { 'x-webhook-signature-previous': `sha256=${hmacHex('sha256', Buffer.from(secrets[1], 'utf8'), body)}` }
      : {}),
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': secrets.map((s) => `v1,${hmacBase64('sha256', Buffer.from(s, 'utf8'), signed)}`).join(' '),
  };
}
