/**
 * Keys whose values an operator does not need to judge a parked notification and which must not sit
 * in a table many people can read: tokens and secrets (BridgerPay's `payload` is the session secret),
 * card data, and the customer's personal data. Matched on the whole key, case-insensitively.
 */
const CENSORED =
  /^(?:.*token.*|.*secret.*|.*password.*|payload|card|card_.*|credit_card.*|email|.*_name|name|card_holder|phone|address|city|state|zip|zip_code|dob|ip_address|pin|source)$/i;

/** A received notification body as stored with a parked notification: its shape and amounts, minus CENSORED values. */
export function parkedPayload(body: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { unreadable: true, bytes: body.length };
  }
  const censor = (v: unknown, depth: number): unknown => {
    if (depth > 32) return '[TRUNCATED]';
    if (Array.isArray(v)) return v.map((x) => censor(x, depth + 1));
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        k,
        CENSORED.test(k) && x !== null ? '[REDACTED]' : censor(x, depth + 1),
      ]),
    );
  };
  return censor(parsed, 0);
}
