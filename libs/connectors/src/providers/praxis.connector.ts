import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../http';
import type { ConnectorConfig } from '../types';
import { PRAXIS_FIELDS, praxisSignObject } from './praxis.signing';

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
  return failFromStatus(status >= 400 ? status : 400, reason);
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
};
