import { createHash, timingSafeEqual } from 'node:crypto';

import type { PaymentStatus } from '@app/contracts';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, connectorHostPolicy, failFromStatus, providerFetch, requireCredential } from '../../http';
import {
  canonicalAmount,
  sessionSecretDigest,
  type CashierRequest,
  type PaymentNotification,
  type PaymentPort,
  type StoredOrder,
} from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';

/** v2 is the version the help centre and the community connector use (docs/providers/bridgerpay.md). */
const API = 'https://api.bridgerpay.com/v2';
export const BRIDGERPAY_DEFAULT_EMBED_SCRIPT = 'https://embed.bridgerpay.com/connector.min.js';
const SCRIPT_HOSTS = ['embed.bridgerpay.com', 'embed-sandbox.bridgerpay.com', 'checkout.bridgerpay.com'];

/**
 * The cashier page loads this script with the card form: only BridgerPay's script hosts (or a host in
 * CONNECTOR_ALLOWED_HOSTS) may serve it, checked again here for values stored before settings were pinned.
 */
function embedScript(value: unknown): string {
  if (typeof value !== 'string' || value === '') return BRIDGERPAY_DEFAULT_EMBED_SCRIPT;
  if (connectorHostPolicy().refusal(value, SCRIPT_HOSTS) !== null) {
    throw new ConnectorError('invalid_config', 'settings.embed_script_url is not on a BridgerPay script host');
  }
  return value;
}

/** Every BridgerPay answer: `{response: {status, code, message}, result}`. */
export interface BridgerpayEnvelope<T> {
  response?: { status?: string; code?: number; message?: string };
  result?: T;
}

/** `response.message` (e.g. `login_failue`, `validation_error`) plus field errors when `result` lists them. */
export function bridgerpayReason(text: string, status: number): string {
  try {
    const env = JSON.parse(text) as BridgerpayEnvelope<unknown>;
    const msg = env.response?.message;
    const details = Array.isArray(env.result)
      ? env.result
          .map((e: unknown) =>
            e && typeof e === 'object'
              ? Object.values(e as Record<string, unknown>)
                  .filter((v) => typeof v === 'string')
                  .join(' ')
              : '',
          )
          .filter(Boolean)
      : [];
    if (typeof msg === 'string' && msg) return `BridgerPay: ${msg}${details.length ? ` (${details.join('; ')})` : ''}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `BridgerPay answered HTTP ${status}`;
}

/** JSON call to the BridgerPay API; `token` adds the Bearer header (exported for its spec). */
export async function bridgerpayRequest<T>(
  config: ConnectorConfig,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  timeoutMs?: number,
): Promise<T> {
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, {
    method,
    timeoutMs,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status < 200 || res.status > 299)
    throw failFromStatus(res.status, bridgerpayReason(res.text, res.status), res.headers);
  const env = res.json<BridgerpayEnvelope<T>>();
  if (env.response?.status !== undefined && env.response.status !== 'OK')
    throw failFromStatus(env.response.code ?? 400, bridgerpayReason(res.text, res.status));
  if (env.result === undefined) throw new ConnectorError('provider_error', 'BridgerPay: answer without a result');
  return env.result;
}

/** `POST /v2/auth/login`: a JWT valid for `expiresIn` seconds (7200 documented). */
export async function bridgerpayLogin(
  config: ConnectorConfig,
  timeoutMs?: number,
): Promise<{ token: string; expiresIn: number }> {
  const result = await bridgerpayRequest<{ access_token?: { token?: string; expires_in?: number } }>(
    config,
    'POST',
    '/auth/login',
    {
      user_name: requireCredential(config, 'username'),
      password: requireCredential(config, 'password'),
    },
    undefined,
    timeoutMs,
  );
  const token = result.access_token?.token;
  if (!token) throw new ConnectorError('provider_error', 'BridgerPay: login answer without an access token');
  return { token, expiresIn: result.access_token?.expires_in ?? 7200 };
}

/**
 * Login tokens per API host and credentials, kept until shortly before they expire (7200 s): a login
 * per cashier session would double every session's latency. A rotation changes the key, so the old
 * token is simply never asked for again.
 */
const tokens = new Map<string, { token: Promise<string>; until: number }>();
const TOKEN_MARGIN_MS = 60_000;

function tokenKey(config: ConnectorConfig): string {
  const secret = createHash('sha256').update(requireCredential(config, 'password')).digest('hex');
  return `${baseUrl(config, API)}|${requireCredential(config, 'username')}|${secret}`;
}

function cachedToken(config: ConnectorConfig, timeoutMs?: number): Promise<string> {
  const key = tokenKey(config);
  const hit = tokens.get(key);
  if (hit && hit.until > Date.now()) return hit.token;
  const entry = {
    token: bridgerpayLogin(config, timeoutMs).then(({ token, expiresIn }) => {
      entry.until = Date.now() + Math.max(expiresIn * 1000 - TOKEN_MARGIN_MS, 0);
      return token;
    }),
    until: Number.POSITIVE_INFINITY,
  };
  entry.token.catch(() => {
    if (tokens.get(key) === entry) tokens.delete(key);
  });
  tokens.set(key, entry);
  return entry.token;
}

/** Status mapping (docs/providers/bridgerpay.md): notification types first, then the charge's own status. */
const STATUS: Record<string, PaymentStatus | null> = {
  'cashier.session.init': 'pending',
  init: 'pending',
  in_process: 'pending',
  pending: 'pending',
  authorized: 'pending',
  'capture in progress': 'pending',
  approved_on_hold: 'pending',
  approved: 'approved',
  declined: 'declined',
  voided: 'failed',
  refunded: 'refunded',
  partly_refunded: 'refunded',
  // a session closing with no approval leaves the order as it is
  'cashier.session.close': null,
};
export { STATUS as BRIDGERPAY_STATUS_TABLE };

interface BridgerpayNotificationBody {
  webhook?: { type?: string };
  data?: {
    order_id?: string;
    charge?: {
      id?: string;
      uuid?: string;
      psp_order_id?: string;
      attributes?: { status?: string; amount?: unknown; currency?: string };
    };
  };
  meta?: { payload?: string | null };
}

/** The echoed secret against the stored digest, in constant time. */
function matchesDigest(echoed: string, digestHex: string): boolean {
  const x = Buffer.from(sessionSecretDigest(echoed), 'hex');
  const y = Buffer.from(digestHex, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

async function createSession(config: ConnectorConfig, req: CashierRequest, token: string): Promise<string> {
  const body = {
    cashier_key: requireCredential(config, 'cashier_key'),
    order_id: req.orderId,
    currency: req.currency,
    country: req.country,
    ...(req.amount !== undefined ? { amount: Number(req.amount) } : {}),
    ...(req.firstName ? { first_name: req.firstName } : {}),
    ...(req.lastName ? { last_name: req.lastName } : {}),
    ...(req.email ? { email: req.email } : {}),
    ...(req.customerId ? { platform_id: req.customerId } : {}),
    payload: req.sessionSecret,
  };
  const result = await bridgerpayRequest<{ cashier_token?: string }>(
    config,
    'POST',
    `/cashier/session/create/${encodeURIComponent(requireCredential(config, 'api_key'))}`,
    body,
    token,
    req.timeoutMs,
  );
  if (!result.cashier_token)
    throw new ConnectorError('provider_error', 'BridgerPay: session answer without a cashier token');
  return result.cashier_token;
}

/** The cashier (docs/providers/bridgerpay.md): an embedded script fed with the cashier key and a per-session token. */
export const bridgerpayPayment: PaymentPort = {
  unsignedNotifications: true,

  async openCashier(config, req) {
    const scriptUrl = embedScript(config.settings.embed_script_url);
    const cashierKey = requireCredential(config, 'cashier_key');
    requireCredential(config, 'api_key');
    let cashierToken: string;
    try {
      cashierToken = await createSession(config, req, await cachedToken(config, req.timeoutMs));
    } catch (err) {
      // a token revoked or expired early: log in again once
      if (!(err instanceof ConnectorError) || err.code !== 'auth' || err.options.httpStatus !== 401) throw err;
      tokens.delete(tokenKey(config));
      cashierToken = await createSession(config, req, await cachedToken(config, req.timeoutMs));
    }
    return {
      type: 'embed',
      script_url: scriptUrl,
      cashier_key: cashierKey,
      cashier_token: cashierToken,
    };
  },

  /** Unsigned (docs/providers/bridgerpay.md): parsed here; matchOrder checks the echoed payload, amount, currency. */
  readNotification(_config, raw) {
    let b: BridgerpayNotificationBody;
    try {
      b = JSON.parse(raw.body.toString('utf8')) as BridgerpayNotificationBody;
    } catch {
      throw new ConnectorError('bad_signature', 'BridgerPay notification is not JSON');
    }
    // `null`, a number or a list is JSON too, and proves nothing about its sender
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new ConnectorError('bad_signature', 'BridgerPay notification is not a JSON object');
    const orderId = b.data?.order_id;
    const type = b.webhook?.type;
    if (typeof orderId !== 'string' || !orderId || typeof type !== 'string') {
      throw new ConnectorError('bad_signature', 'BridgerPay notification without webhook.type or data.order_id');
    }
    const charge = b.data?.charge;
    const attrs = charge?.attributes;
    const chargeId =
      [charge?.id, charge?.uuid, charge?.psp_order_id].find((v): v is string => typeof v === 'string' && v !== '') ??
      null;
    // own keys only: `constructor`, `toString`... are not statuses
    const providerStatus = Object.hasOwn(STATUS, type) ? type : (attrs?.status ?? type);
    const currency = typeof attrs?.currency === 'string' ? attrs.currency.toUpperCase() : null;
    if (
      attrs?.amount !== undefined &&
      attrs.amount !== null &&
      typeof attrs.amount !== 'number' &&
      typeof attrs.amount !== 'string'
    ) {
      throw new ConnectorError('bad_signature', 'BridgerPay notification amount is not a number');
    }
    const note: PaymentNotification = {
      orderId,
      eventKey: `${type}:${chargeId ?? 'session'}`,
      status: (Object.hasOwn(STATUS, providerStatus) ? STATUS[providerStatus] : null) ?? null,
      providerStatus,
      providerTransactionId: chargeId,
      amount:
        currency && attrs?.amount !== undefined && attrs.amount !== null
          ? canonicalAmount(attrs.amount, currency)
          : null,
      // only a string can be the secret we issued: anything else is an unverifiable notification
      currency,
      echoedSecret: typeof b.meta?.payload === 'string' ? b.meta.payload : null,
    };
    if (providerStatus === 'approved_on_hold') note.flag = 'review';
    return note;
  },

  matchOrder(note, order: StoredOrder) {
    if (
      !order.sessionSecretSha256 ||
      !note.echoedSecret ||
      !matchesDigest(note.echoedSecret, order.sessionSecretSha256)
    ) {
      throw new ConnectorError('bad_signature', 'meta.payload does not match the session');
    }
    if (note.currency !== null && note.currency !== order.currency)
      throw new ConnectorError('bad_signature', 'currency does not match the order');
    // a refund carries the refunded amount, an on-hold approval what the PSP actually took: both differ by design
    if (order.amount === null || note.status === 'refunded' || note.flag === 'review') return;
    const differs = note.amount !== null ? note.amount !== order.amount : note.status === 'approved';
    if (differs) throw new ConnectorError('bad_signature', 'amount does not match the order');
  },

  acknowledge() {
    return { status: 200, content_type: 'application/json', body: '{"status":"ok"}' };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'bridgerpay',
    name: 'BridgerPay',
    category: 'payment',
    credential_fields: [
      { name: 'username', label: 'API username', secret: false, required: true },
      { name: 'password', label: 'API password', secret: true, required: true },
      { name: 'api_key', label: 'API key', secret: true, required: true },
      { name: 'cashier_key', label: 'Cashier key', secret: false, required: true },
    ],
    hosts: [
      'api.bridgerpay.com',
      'api-sandbox.bridgerpay.com',
      'embed.bridgerpay.com',
      'embed-sandbox.bridgerpay.com',
      'checkout.bridgerpay.com',
      'cashier.bridgerpay.com',
    ],
    settings: [
      { name: 'embed_script_url', label: 'Cashier embed script URL', default: BRIDGERPAY_DEFAULT_EMBED_SCRIPT },
    ],
  },

  /** The login call. api_key and cashier_key are only used by session creation, so only their presence is checked. */
  async test(config) {
    requireCredential(config, 'api_key');
    requireCredential(config, 'cashier_key');
    await bridgerpayLogin(config);
  },

  payment: bridgerpayPayment,
};
