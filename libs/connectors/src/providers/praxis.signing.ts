import { createHash, timingSafeEqual } from 'node:crypto';
import { ConnectorError } from '../connector-error';

/**
 * Praxis GT-Authentication (PROVIDERS.md §3): lowercase hex SHA-384 (a plain hash, not an HMAC) of the
 * method's signature field values in documented order, nulls skipped, then the merchant secret.
 */
export function praxisSignature(values: readonly unknown[], merchantSecret: string): string {
  const h = createHash('sha384');
  for (const v of values) if (v !== null && v !== undefined) h.update(String(v));
  return h.update(merchantSecret).digest('hex');
}

/** Signature field orders per message, as dotted paths into the JSON object. */
export const PRAXIS_FIELDS = {
  cashierRequest: ['merchant_id', 'application_key', 'timestamp', 'intent', 'cid', 'order_id'],
  cashierResponse: ['status', 'timestamp', 'redirect_url', 'customer.customer_token'],
  findOrderRequest: ['merchant_id', 'application_key', 'timestamp', 'order_id'],
  notification: [
    'merchant_id', 'application_key', 'timestamp', 'customer.customer_token', 'session.order_id', 'transaction.tid',
    'transaction.currency', 'transaction.amount', 'transaction.conversion_rate', 'transaction.processed_currency', 'transaction.processed_amount',
  ],
  notificationReply: ['status', 'timestamp'],
} as const;

function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** GT-Authentication of a parsed JSON message for the given field order. */
export function praxisSignObject(obj: unknown, fields: readonly string[], merchantSecret: string): string {
  return praxisSignature(fields.map((f) => pick(obj, f)), merchantSecret);
}

/** Checks an inbound message's (or a response's) GT-Authentication; throws ConnectorError('bad_signature'). */
export function verifyPraxisSignature(obj: unknown, fields: readonly string[], merchantSecret: string, header: string | undefined): void {
  if (!header) throw new ConnectorError('bad_signature', 'GT-Authentication header missing');
  const expected = Buffer.from(praxisSignObject(obj, fields, merchantSecret), 'utf8');
  const given = Buffer.from(header.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ConnectorError('bad_signature', 'GT-Authentication does not match');
  }
}

/**
 * The reply Praxis expects to a notification: without `status: 0` and a valid signature it resends
 * in about 5 minutes.
 */
export function praxisNotificationReply(merchantSecret: string, nowMs = Date.now()): { body: string; headers: Record<string, string> } {
  const reply = { status: 0, description: 'OK', version: '1.3', timestamp: Math.floor(nowMs / 1000) };
  return {
    body: JSON.stringify(reply),
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'GT-Authentication': praxisSignObject(reply, PRAXIS_FIELDS.notificationReply, merchantSecret) },
  };
}
