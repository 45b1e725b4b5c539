import { createHash } from 'node:crypto';
import type { PaymentStatus } from '@app/contracts';
import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential, mapped } from '../http';
import { fromMinorUnits, toMinorUnits, type PaymentNotification, type PaymentPort } from '../ports/payment.port';
import type { ConnectorConfig } from '../types';
import { PRAXIS_FIELDS, praxisNotificationReply, praxisSignObject, verifyPraxisRawSignature, verifyPraxisSignature } from './praxis.signing';

const API = 'https://gw.praxisgate.com';
export const PRAXIS_API_VERSION = '1.3';

export interface PraxisAnswer {
  status: number;
  description?: string;
  [field: string]: unknown;
}

/**
 * Praxis answers `{status, description}`: 0 is success, negative an infrastructure error, positive a
 * logical one whose value is HTTP-like (401 account/signature, 400 validation, 406 IP, 999 generic).
 */
export function praxisFailure(status: number, description: string | undefined): ConnectorError {
  const reason = `Praxis: ${description || `status ${status}`}`;
  if (status < 0) return new ConnectorError('provider_error', reason);
  // a positive status is a logical refusal whatever its value (999, 5xx-looking codes too): final, never failed over
  if (status === 401 || status === 403) return failFromStatus(status, reason);
  return new ConnectorError('refused', reason.slice(0, 500), { httpStatus: status });
}

/**
 * One signed Praxis call: adds merchant_id, application_key, version and timestamp, signs the given
 * field order, and returns the answer (with its headers, so callers can check a response signature).
 */
export async function praxisRequest(
  config: ConnectorConfig,
  path: string,
  fields: Record<string, unknown>,
  signatureFields: readonly string[],
  timeoutMs?: number,
): Promise<{ answer: PraxisAnswer; headers: Headers }> {
  const body = {
    merchant_id: requireCredential(config, 'merchant_id'),
    application_key: requireCredential(config, 'application_key'),
    ...fields,
    version: PRAXIS_API_VERSION,
    timestamp: Math.floor(Date.now() / 1000),
  };
  const secret = requireCredential(config, 'merchant_secret');
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, {
    method: 'POST',
    timeoutMs,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'GT-Authentication': praxisSignObject(body, signatureFields, secret) },
    body: JSON.stringify(body),
  });
  if (res.status < 200 || res.status > 299) {
    let description: string | undefined;
    try {
      description = (JSON.parse(res.text) as PraxisAnswer).description;
    } catch {
      /* not JSON */
    }
    throw failFromStatus(res.status, `Praxis: ${description || `HTTP ${res.status}`}`, res.headers);
  }
  const answer = res.json<PraxisAnswer>();
  if (typeof answer.status !== 'number') throw new ConnectorError('provider_error', 'Praxis: answer without a status');
  return { answer, headers: res.headers };
}

/** PROVIDERS.md §3 status mapping of `transaction_status`. */
const STATUS: Record<string, PaymentStatus> = {
  initialized: 'pending', pending: 'pending', pending_async: 'pending', requested: 'pending', authorized: 'pending', 'in progress': 'pending',
  approved: 'approved', rejected: 'declined', declined: 'declined', cancelled: 'failed', error: 'failed',
  refund: 'refunded', partial_refund: 'refunded', reversed: 'refunded', chargeback: 'refunded',
};

interface PraxisNotificationBody {
  timestamp?: number;
  session?: { order_id?: string; session_status?: string };
  transaction?: { tid?: number | string; transaction_id?: string; transaction_status?: string; amount?: number; currency?: string } | null;
}

/** Praxis Cashier (PROVIDERS.md §3): a signed cashier request, a signed answer with the page to send the customer to. */
export const praxisPayment: PaymentPort = {
  async openCashier(config, req) {
    // amount is optional at Praxis (the customer types it on the cashier page); when given it must fit the minor unit
    const amount = req.amount === undefined ? undefined : toMinorUnits(req.amount, req.currency);
    if (amount === null) throw new ConnectorError('refused', `Praxis: ${req.currency} amounts have at most the currency's minor unit digits`);
    const customerData = Object.fromEntries(Object.entries({
      country: req.country, first_name: req.firstName, last_name: req.lastName, email: req.email,
    }).filter(([, v]) => v !== undefined));
    const { answer, headers } = await praxisRequest(config, '/cashier/cashier', {
      intent: req.direction === 'deposit' ? 'payment' : 'withdrawal',
      cid: req.customerId ?? `guest-${req.orderId}`,
      order_id: req.orderId, currency: req.currency, ...(amount === undefined ? {} : { amount }), locale: 'en-GB',
      customer_data: customerData, notification_url: req.notificationUrl,
    }, PRAXIS_FIELDS.cashierRequest, req.timeoutMs);
    if (answer.status !== 0) throw praxisFailure(answer.status, answer.description);
    try {
      verifyPraxisSignature(answer, PRAXIS_FIELDS.cashierResponse, requireCredential(config, 'merchant_secret'), headers.get('gt-authentication') ?? undefined);
    } catch {
      throw new ConnectorError('provider_error', 'Praxis: the cashier answer is not signed with our merchant secret');
    }
    if (typeof answer.redirect_url !== 'string' || !answer.redirect_url) throw new ConnectorError('provider_error', 'Praxis: answer without a redirect_url');
    return { type: 'redirect', redirect_url: answer.redirect_url };
  },

  readNotification(config, raw) {
    const text = raw.body.toString('utf8');
    let b: PraxisNotificationBody;
    try {
      b = JSON.parse(text) as PraxisNotificationBody;
    } catch {
      throw new ConnectorError('bad_signature', 'Praxis notification is not JSON');
    }
    if (b === null || typeof b !== 'object') throw new ConnectorError('bad_signature', 'Praxis notification is not a JSON object');
    // signed over the values as written in the body (a number like 1.00000 keeps its decimals)
    verifyPraxisRawSignature(text, PRAXIS_FIELDS.notification, requireCredential(config, 'merchant_secret'), raw.headers['gt-authentication']);
    const orderId = b.session?.order_id;
    if (typeof orderId !== 'string' || !orderId) throw new ConnectorError('bad_signature', 'Praxis notification without session.order_id');
    const t = b.transaction ?? null;
    // `transaction` is null for an expired session: the session status says what happened
    const providerStatus = t?.transaction_status ?? b.session?.session_status ?? 'unknown';
    const status = t ? (mapped(STATUS, providerStatus) ?? null) : (['expired', 'failed'].includes(providerStatus) ? 'failed' : null);
    const currency = typeof t?.currency === 'string' ? t.currency.toUpperCase() : null;
    const note: PaymentNotification = {
      // keyed by the signature, not by the (unsigned) status: each genuine notification carries its own
      // signed timestamp, so a captured one replayed with an edited transaction_status is a duplicate
      orderId, eventKey: `sig:${createHash('sha256').update(String(raw.headers['gt-authentication'] ?? '')).digest('hex')}`, status, providerStatus,
      providerTransactionId: t?.tid !== undefined && t.tid !== null ? String(t.tid) : null,
      amount: currency && typeof t?.amount === 'number' ? fromMinorUnits(t.amount, currency) : null,
      currency,
    };
    if (providerStatus === 'chargeback') note.flag = 'chargeback';
    return note;
  },

  /** The signature already proves the sender; the order's currency and amount must still be the ones we asked for. */
  matchOrder(note, order) {
    if (note.currency !== null && note.currency !== order.currency) throw new ConnectorError('bad_signature', 'currency does not match the order');
    if (note.status === 'approved' && order.amount !== null && note.amount !== null && note.amount !== order.amount) {
      throw new ConnectorError('bad_signature', 'amount does not match the order');
    }
  },

  /** Without `status: 0` and a valid GT-Authentication Praxis resends in about 5 minutes. */
  acknowledge(config) {
    const reply = praxisNotificationReply(requireCredential(config, 'merchant_secret'));
    const { 'Content-Type': contentType, ...headers } = reply.headers;
    return { status: 200, content_type: contentType, body: reply.body, headers };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'praxis',
    name: 'Praxis',
    category: 'payment',
    credential_fields: [
      { name: 'merchant_id', label: 'Merchant ID', secret: false, required: true },
      { name: 'application_key', label: 'Application key', secret: false, required: true },
      { name: 'merchant_secret', label: 'Merchant secret', secret: true, required: true },
    ],
    settings: [],
  },

  /**
   * Agent API find-order for an order that cannot exist: a signed call with no side effect (a cashier
   * request would open a session). "Order not found" proves merchant, application and secret.
   */
  async test(config) {
    const { answer } = await praxisRequest(config, '/agent/find-order', { order_id: `connector-test-${Date.now()}` }, PRAXIS_FIELDS.findOrderRequest);
    if (answer.status === 0) return;
    const notFoundOrder = answer.status > 0 && answer.status !== 401 && /not found/i.test(answer.description ?? '') && !/account|website|user/i.test(answer.description ?? '');
    if (!notFoundOrder) throw praxisFailure(answer.status, answer.description);
  },

  payment: praxisPayment,
};
