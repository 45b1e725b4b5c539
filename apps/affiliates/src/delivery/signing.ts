import { hmacBase64, hmacHex } from '@app/vault';

/**
 * The headers that sign one attempt. `X-Webhook-Signature` is API.md's (hex HMAC-SHA256 of the body);
 * the `webhook-*` trio is Standard Webhooks (HMAC-SHA256 of `id.timestamp.body`, base64), which the
 * reference libraries verify with the key `whsec_` + base64(secret bytes) and which lets a receiver
 * refuse replays by the timestamp. The key is the secret's UTF-8 bytes. During a rotation overlap each
 * secret adds its own signature: comma-separated in X-Webhook-Signature, space-separated (as the
 * standard defines) in webhook-signature.
 */
export function signatureHeaders(webhookId: string, timestampSec: number, body: string, secrets: string[]): Record<string, string> {
  const signed = `${webhookId}.${timestampSec}.${body}`;
  return {
    'x-webhook-signature': secrets.map((s) => `sha256=${hmacHex('sha256', Buffer.from(s, 'utf8'), body)}`).join(','),
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': secrets.map((s) => `v1,${hmacBase64('sha256', Buffer.from(s, 'utf8'), signed)}`).join(' '),
  };
}
