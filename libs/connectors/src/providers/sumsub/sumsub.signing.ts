import { createHmac, timingSafeEqual } from 'node:crypto';

import { ConnectorError } from '../../connector-error';

/**
 * SumSub request signature (docs/providers/sumsub.md): lowercase hex HMAC-SHA256 over
 * `ts + METHOD + pathWithQuery + body`, keyed with the API secret key. `body` must be the exact bytes sent.
 */
export function sumsubSignature(
  secretKey: string,
  ts: number | string,
  method: string,
  pathWithQuery: string,
  body: string | Buffer = '',
): string {
  return createHmac('sha256', secretKey)
    .update(`${ts}${method.toUpperCase()}${pathWithQuery}`)
    .update(body)
    .digest('hex');
}

/** The three auth headers of every SumSub API call; `nowMs` is injectable for tests. */
export function sumsubAuthHeaders(
  appToken: string,
  secretKey: string,
  method: string,
  pathWithQuery: string,
  body: string | Buffer = '',
  nowMs = Date.now(),
): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return {
    'X-App-Token': appToken,
    'X-App-Access-Ts': String(ts),
    'X-App-Access-Sig': sumsubSignature(secretKey, ts, method, pathWithQuery, body),
  };
}

/** Webhook digest algorithms SumSub names in `x-payload-digest-alg`, mapped to node:crypto names. */
export const SUMSUB_DIGEST_ALGS = {
  HMAC_SHA1_HEX: 'sha1',
  HMAC_SHA256_HEX: 'sha256',
  HMAC_SHA512_HEX: 'sha512',
} as const;
export type SumsubDigestAlg = keyof typeof SUMSUB_DIGEST_ALGS;

/** `x-payload-digest` of a webhook body: HMAC with the webhook's own secret (not the API secret). */
export function sumsubPayloadDigest(
  webhookSecret: string,
  rawBody: string | Buffer,
  alg: SumsubDigestAlg = 'HMAC_SHA256_HEX',
): string {
  return createHmac(SUMSUB_DIGEST_ALGS[alg], webhookSecret).update(rawBody).digest('hex');
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Verifies a SumSub webhook over its raw body (never a re-serialized JSON). Throws
 * ConnectorError('bad_signature') when the digest is missing, its algorithm unknown, or it does not match.
 */
export function verifySumsubWebhook(webhookSecret: string, rawBody: string | Buffer, headers: Headers): void {
  const digest = header(headers, 'x-payload-digest');
  const alg = header(headers, 'x-payload-digest-alg');
  if (!digest) throw new ConnectorError('bad_signature', 'x-payload-digest header missing');
  // SumSub always names the algorithm; guessing one would let a downgrade (e.g. to SHA1) pass unnoticed.
  if (!alg || !Object.hasOwn(SUMSUB_DIGEST_ALGS, alg))
    throw new ConnectorError('bad_signature', `unsupported digest algorithm ${alg}`);
  const expected = Buffer.from(sumsubPayloadDigest(webhookSecret, rawBody, alg as SumsubDigestAlg), 'utf8');
  const given = Buffer.from(digest.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ConnectorError('bad_signature', 'x-payload-digest does not match the body');
  }
}
