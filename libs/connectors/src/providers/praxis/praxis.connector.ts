import { createHash } from 'node:crypto';

import type { PaymentStatus } from '@app/contracts';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, mapped, providerFetch, requireCredential } from '../../http';
import { fromMinorUnits, toMinorUnits, type PaymentNotification, type PaymentPort } from '../../ports/payment.port';
import type { ConnectorConfig } from '../../types';
import {
  PRAXIS_FIELDS,
  praxisNotificationReply,
  praxisSignObject,
  rawJsonFields,
  verifyPraxisRawSignature,
  verifyPraxisSignature,
} from './praxis.signing';

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
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'GT-Authentication': praxisSignObject(body, signatureFields, secret),
    },
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

/** Status mapping of `transaction_status` (docs/providers/praxis.md). */
const STATUS: Record<string, PaymentStatus> = {
  initialized: 'pending',
  pending: 'pending',
  pending_async: 'pending',
  requested: 'pending',
  authorized: 'pending',
  'in progress': 'pending',
  approved: 'approved',
  rejected: 'declined',
  declined: 'declined',
  cancelled: 'failed',
  error: 'failed',
  refund: 'refunded',
  partial_refund: 'refunded',
  reversed: 'refunded',
  chargeback: 'refunded',
};
export { STATUS as PRAXIS_STATUS_TABLE };

interface PraxisNotificationBody {
  timestamp?: number;
  session?: { order_id?: string; session_status?: string };
  transaction?: {
    tid?: number | string;
    transaction_id?: string;
    transaction_status?: string;
    amount?: number;
    currency?: string;
  } | null;
}

const MINOR_UNITS = /^(?:0|[1-9]\d*)$/;
const CURRENCY = /^[A-Z]{3}$/;
/** A decimal rate with a leading digit and a point: `1.00000`, `0.92`; never `.5`, `01.5` or `1`. */
const RATE = /^(?:0|[1-9]\d*)\.\d+$/;
const PRINTABLE = /^[\x21-\x7e]{1,128}$/;
const SHA384_HEX = /^[0-9a-fA-F]{96}$/;

/**
 * Praxis concatenates the signed values with no separator, so `amount 10000 + rate 1.00000` and
 * `amount 100001 + rate .00000` hash alike. Each signed value is held to one strict shape so that a
 * digit moved across a boundary breaks a shape: integers without sign, point or leading zero,
 * three-letter currencies around the numbers, a rate with a leading digit and a point, a ten-digit
 * timestamp, and fields that come together (amount and currency, processed amount and currency).
 */
function checkSignedFormats(
  config: ConnectorConfig,
  b: Record<string, unknown>,
  literal: Map<string, string | null>,
): void {
  const bad = (field: string, why: string): never => {
    throw new ConnectorError('bad_signature', `Praxis notification ${field} ${why}`);
  };
  const value = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined),
        b,
      );
  const present = (path: string) => literal.get(path) !== undefined && literal.get(path) !== null;
  const text = (path: string) => literal.get(path) ?? '';

  for (const [field, credential] of [
    ['merchant_id', 'merchant_id'],
    ['application_key', 'application_key'],
  ] as const) {
    if (typeof value(field) !== 'string') bad(field, 'is not a string');
    const ours = config.credentials[credential];
    if (typeof ours === 'string' && ours && value(field) !== ours) bad(field, 'is not ours');
  }
  if (typeof value('timestamp') !== 'number' || !/^[1-9]\d{9}$/.test(text('timestamp')))
    bad('timestamp', 'is not a ten-digit Unix time in seconds');
  if (
    present('customer.customer_token') &&
    (typeof value('customer.customer_token') !== 'string' || !PRINTABLE.test(text('customer.customer_token')))
  ) {
    bad('customer.customer_token', 'is not a printable token');
  }
  if (typeof value('session.order_id') !== 'string' || !PRINTABLE.test(text('session.order_id')))
    bad('session.order_id', 'is not a printable order id');

  const t = value('transaction');
  if (t === null || t === undefined) {
    for (const f of ['tid', 'currency', 'amount', 'conversion_rate', 'processed_currency', 'processed_amount']) {
      if (present(`transaction.${f}`)) bad(`transaction.${f}`, 'is given without a transaction');
    }
    return;
  }
  if (typeof t !== 'object' || Array.isArray(t)) bad('transaction', 'is not an object');
  if (present('transaction.tid') && !/^[1-9]\d*$/.test(text('transaction.tid')))
    bad('transaction.tid', 'is not a positive integer');
  if (typeof value('transaction.currency') !== 'string' || !CURRENCY.test(text('transaction.currency')))
    bad('transaction.currency', 'is not a three-letter upper-case currency');
  if (typeof value('transaction.amount') !== 'number' || !MINOR_UNITS.test(text('transaction.amount')))
    bad('transaction.amount', 'is not an integer in minor units');
  if (present('transaction.conversion_rate') && !RATE.test(text('transaction.conversion_rate')))
    bad('transaction.conversion_rate', 'is not a decimal rate with a leading digit');
  const pc = present('transaction.processed_currency');
  const pa = present('transaction.processed_amount');
  if (pc !== pa)
    bad(pc ? 'transaction.processed_amount' : 'transaction.processed_currency', 'is missing while its pair is given');
  if (
    pc &&
    (typeof value('transaction.processed_currency') !== 'string' ||
      !CURRENCY.test(text('transaction.processed_currency')))
  ) {
    bad('transaction.processed_currency', 'is not a three-letter upper-case currency');
  }
  if (
    pa &&
    (typeof value('transaction.processed_amount') !== 'number' ||
      !MINOR_UNITS.test(text('transaction.processed_amount')))
  ) {
    bad('transaction.processed_amount', 'is not an integer in minor units');
  }
}

/** The cashier (docs/providers/praxis.md): a signed cashier request, a signed answer naming the customer's page. */
export const praxisPayment: PaymentPort = {
  async openCashier(config, req) {
    // amount is optional at Praxis (the customer types it on the cashier page); when given it must fit the minor unit
    const amount = req.amount === undefined ? undefined : toMinorUnits(req.amount, req.currency);
    if (amount === null)
      throw new ConnectorError(
        'refused',
        `Praxis: ${req.currency} amounts have at most the currency's minor unit digits`,
      );
    const customerData = Object.fromEntries(
      Object.entries({
        country: req.country,
        first_name: req.firstName,
        last_name: req.lastName,
        email: req.email,
      }).filter(([, v]) => v !== undefined),
    );
    const { answer, headers } = await praxisRequest(
      config,
      '/cashier/cashier',
      {
        intent: req.direction === 'deposit' ? 'payment' : 'withdrawal',
        cid: req.customerId ?? `guest-${req.orderId}`,
        order_id: req.orderId,
        currency: req.currency,
        ...(amount === undefined ? {} : { amount }),
        locale: 'en-GB',
        customer_data: customerData,
        notification_url: req.notificationUrl,
      },
      PRAXIS_FIELDS.cashierRequest,
      req.timeoutMs,
    );
    if (answer.status !== 0) throw praxisFailure(answer.status, answer.description);
    try {
      verifyPraxisSignature(
        answer,
        PRAXIS_FIELDS.cashierResponse,
        requireCredential(config, 'merchant_secret'),
        headers.get('gt-authentication') ?? undefined,
      );
    } catch {
      throw new ConnectorError('provider_error', 'Praxis: the cashier answer is not signed with our merchant secret');
    }
    if (typeof answer.redirect_url !== 'string' || !answer.redirect_url)
      throw new ConnectorError('provider_error', 'Praxis: answer without a redirect_url');
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
    if (b === null || typeof b !== 'object' || Array.isArray(b))
      throw new ConnectorError('bad_signature', 'Praxis notification is not a JSON object');
    const header = raw.headers['gt-authentication'];
    if (header !== undefined && !SHA384_HEX.test(header))
      throw new ConnectorError('bad_signature', 'GT-Authentication is not a SHA-384 hex digest');
    // signed over the values as written in the body (a number like 1.00000 keeps its decimals)
    const literal = rawJsonFields(text, PRAXIS_FIELDS.notification);
    verifyPraxisRawSignature(text, PRAXIS_FIELDS.notification, requireCredential(config, 'merchant_secret'), header);
    checkSignedFormats(config, b as Record<string, unknown>, literal);
    const orderId = b.session!.order_id!;
    const t = b.transaction ?? null;
    // `transaction` is null for an expired session: the session status says what happened
    const providerStatus = t?.transaction_status ?? b.session?.session_status ?? 'unknown';
    const status = t
      ? (mapped(STATUS, providerStatus) ?? null)
      : ['expired', 'failed'].includes(providerStatus)
        ? 'failed'
        : null;
    const currency = t ? t.currency! : null;
    const providerTransactionId = t?.tid !== undefined && t.tid !== null ? String(t.tid) : null;
    const amount = currency ? fromMinorUnits(t!.amount!, currency) : null;
    const note: PaymentNotification = {
      // The signature is the identity of what Praxis signed, whatever its case spelling: the same
      // signed values come back under the same key even with another (unsigned) status.
      orderId,
      eventKey: `sig:${createHash('sha256').update(header.toLowerCase()).digest('hex')}`,
      status,
      providerStatus,
      providerTransactionId,
      amount,
      currency,
      occurredAt: b.timestamp!,
      // what this notification says beyond its signed values: tells an exact repeat from an edited one
      fingerprint: createHash('sha256')
        .update(
          JSON.stringify([
            PRAXIS_FIELDS.notification.map((f) => literal.get(f) ?? null),
            providerStatus,
            b.session?.session_status ?? null,
            status,
          ]),
        )
        .digest('hex'),
    };
    if (providerStatus === 'chargeback') note.flag = 'chargeback';
    return note;
  },

  /**
   * The signature proves Praxis sent these values, yet not that they are the ones we asked for: a
   * disagreeing amount or currency is parked for an operator (Praxis still gets its `status: 0`, or
   * it would resend every 5 minutes), never applied.
   */
  matchOrder(note, order) {
    if (note.currency !== null && note.currency !== order.currency) return 'currency_mismatch';
    if (order.amount !== null && note.amount !== null && note.amount !== order.amount) return 'amount_mismatch';
    return undefined;
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
    hosts: ['gw.praxisgate.com', 'pci-gw-test.praxispay.com'],
    settings: [],
  },

  /**
   * Agent API find-order for an order that cannot exist: a signed call with no side effect (a cashier
   * request would open a session). "Order not found" proves merchant, application and secret.
   */
  async test(config) {
    const { answer } = await praxisRequest(
      config,
      '/agent/find-order',
      { order_id: `connector-test-${Date.now()}` },
      PRAXIS_FIELDS.findOrderRequest,
    );
    if (answer.status === 0) return;
    const notFoundOrder =
      answer.status > 0 &&
      answer.status !== 401 &&
      /not found/i.test(answer.description ?? '') &&
      !/account|website|user/i.test(answer.description ?? '');
    if (!notFoundOrder) throw praxisFailure(answer.status, answer.description);
  },

  payment: praxisPayment,
};
