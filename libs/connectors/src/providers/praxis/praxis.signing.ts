import { createHash, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';

/**
 * Praxis GT-Authentication (docs/providers/praxis.md): lowercase hex SHA-384 (a plain hash, not an HMAC) of the
 * method's signature field values in documented order, nulls (and objects, as in rawJsonFields) skipped, then
 * the merchant secret.
 */
export function praxisSignature(values: readonly unknown[], merchantSecret: string): string {
  const h = createHash('sha384');
  for (const v of values)
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') h.update(String(v));
  return h.update(merchantSecret).digest('hex');
}

/** Signature field orders per message, as dotted paths into the JSON object. */
export const PRAXIS_FIELDS = {
  cashierRequest: ['merchant_id', 'application_key', 'timestamp', 'intent', 'cid', 'order_id'],
  cashierResponse: ['status', 'timestamp', 'redirect_url', 'customer.customer_token'],
  findOrderRequest: ['merchant_id', 'application_key', 'timestamp', 'order_id'],
  notification: [
    'merchant_id',
    'application_key',
    'timestamp',
    'customer.customer_token',
    'session.order_id',
    'transaction.tid',
    'transaction.currency',
    'transaction.amount',
    'transaction.conversion_rate',
    'transaction.processed_currency',
    'transaction.processed_amount',
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
  return praxisSignature(
    fields.map((f) => pick(obj, f)),
    merchantSecret,
  );
}

function compareSignature(expectedHex: string, header: string | undefined): void {
  if (!header) throw new ConnectorError('bad_signature', 'GT-Authentication header missing');
  const expected = Buffer.from(expectedHex, 'utf8');
  const given = Buffer.from(header.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ConnectorError('bad_signature', 'GT-Authentication does not match');
  }
}

/** Checks an inbound message's (or a response's) GT-Authentication; throws ConnectorError('bad_signature'). */
export function verifyPraxisSignature(
  obj: unknown,
  fields: readonly string[],
  merchantSecret: string,
  header: string | undefined,
): void {
  compareSignature(praxisSignObject(obj, fields, merchantSecret), header);
}

/**
 * Checks the GT-Authentication of a raw JSON body over the fields' literal text: Praxis signs what it
 * wrote, so `"conversion_rate":1.00000` signs as `1.00000`, which String(JSON.parse(...)) would turn into `1`.
 */
export function verifyPraxisRawSignature(
  rawJson: string,
  fields: readonly string[],
  merchantSecret: string,
  header: string | undefined,
): void {
  const literal = rawJsonFields(rawJson, fields);
  compareSignature(
    praxisSignature(
      fields.map((f) => literal.get(f) ?? null),
      merchantSecret,
    ),
    header,
  );
}

const NUMBER_OR_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * The literal text of the scalar values at the given dotted paths of a raw JSON text: strings
 * unescaped as JSON strings, numbers and literals as written, `null` as null; objects, arrays and
 * missing paths are absent. The last of duplicate keys wins, as with JSON.parse. Throws
 * ConnectorError('bad_signature') on text that is not JSON.
 */
export function rawJsonFields(text: string, paths: readonly string[]): Map<string, string | null> {
  const wanted = new Set(paths);
  const found = new Map<string, string | null>();
  let i = 0;
  const fail = (): never => {
    throw new ConnectorError('bad_signature', 'Praxis notification is not JSON');
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (c: string) => {
    ws();
    if (text[i] !== c) fail();
    i++;
  };
  const readString = (): string => {
    const start = i;
    if (text[i] !== '"') fail();
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    if (i >= text.length) fail();
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail();
    }
  };
  const record = (path: string | null, v: string | null) => {
    if (path !== null && wanted.has(path)) found.set(path, v);
  };
  const value = (path: string | null, depth: number): void => {
    if (depth > 64) fail();
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (path !== null) found.delete(path); // a container replaces an earlier scalar of a duplicate key
      i++;
      ws();
      const close = c === '{' ? '}' : ']';
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          const key = readString();
          expect(':');
          value(path === null ? null : path ? `${path}.${key}` : key, depth + 1);
        } else {
          value(null, depth + 1); // array elements have no dotted path
        }
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(close);
        return;
      }
    }
    if (c === '"') return record(path, readString());
    NUMBER_OR_LITERAL.lastIndex = i;
    const m = NUMBER_OR_LITERAL.exec(text);
    if (!m) fail();
    i += m![0].length;
    record(path, m![0] === 'null' ? null : m![0]);
  };
  value('', 0);
  ws();
  if (i !== text.length) fail();
  return found;
}

/**
 * The reply Praxis expects to a notification: without `status: 0` and a valid signature it resends
 * in about 5 minutes.
 */
export function praxisNotificationReply(
  merchantSecret: string,
  nowMs = Date.now(),
): { body: string; headers: Record<string, string> } {
  const reply = { status: 0, description: 'OK', version: '1.3', timestamp: Math.floor(nowMs / 1000) };
  return {
    body: JSON.stringify(reply),
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'GT-Authentication': praxisSignObject(reply, PRAXIS_FIELDS.notificationReply, merchantSecret),
    },
  };
}
