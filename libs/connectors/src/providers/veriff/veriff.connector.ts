import { randomUUID } from 'node:crypto';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../../http';
import type { KycPort, KycReview, KycWebhookEvent } from '../../ports/kyc.port';
import type { ConnectorConfig } from '../../types';
import {
  mapVeriffStatus,
  parseVeriffTime,
  veriffDetails,
  veriffRejectLabels,
  type VeriffDecision,
} from './veriff.mapping';
import { veriffSignature, verifyVeriffWebhook } from './veriff.signing';

/** The documented Public API v1 base (an integration's own base URL may be another documented host). */
const API = 'https://stationapi.veriff.com/v1';

/** Veriff's error shape: `{status: "fail", code, message}`; `message` is the reason. */
function reason(text: string, status: number): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string' && m) return `Veriff: ${m}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `Veriff answered HTTP ${status}`;
}

/**
 * One Veriff API call. POST bodies are serialized once: those bytes are sent and (except for
 * `POST /sessions`, which Veriff does not sign) signed; GETs sign `signed`, the session id of the path.
 */
async function veriffRequest<T>(
  config: ConnectorConfig,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; signed?: string } = {},
): Promise<T> {
  const apiKey = requireCredential(config, 'api_key');
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'X-AUTH-CLIENT': apiKey,
  };
  if (opts.signed !== undefined)
    headers['X-HMAC-SIGNATURE'] = veriffSignature(requireCredential(config, 'shared_secret'), opts.signed);
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, { method, headers, body: payload });
  if (res.status < 200 || res.status > 299) throw failFromStatus(res.status, reason(res.text, res.status), res.headers);
  return res.json<T>();
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `GET /v1/sessions/{id}/decision`, signed with the session id; `verification` is null until decided. */
async function decisionOf(config: ConnectorConfig, sessionId: string): Promise<VeriffDecision | null> {
  const res = await veriffRequest<{ verification?: VeriffDecision | null }>(
    config,
    'GET',
    `/sessions/${encodeURIComponent(sessionId)}/decision`,
    { signed: sessionId },
  );
  return res.verification ?? null;
}

function reviewOf(v: VeriffDecision | null): KycReview {
  return {
    status: mapVeriffStatus(v?.status),
    providerStatus: str(v?.status) ?? 'no_decision',
    rejectLabels: veriffRejectLabels(v),
    occurredAt: parseVeriffTime(v?.decisionTime),
  };
}

function parseBody(body: Buffer): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ConnectorError('refused', 'Veriff webhook body is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new ConnectorError('refused', 'Veriff webhook body is not a JSON object');
  return payload as Record<string, unknown>;
}

/** KycPort over Veriff's Public API v1 (docs/providers/veriff.md). */
export const veriffKyc: KycPort = {
  async createApplicant(config, input) {
    // no `callback`: the customer returns to the integration's default page set in Veriff's portal (a
    // `*_url` setting must name a documented host, and the broker's own page is not one)
    const person = {
      ...(input.email ? { email: input.email } : {}),
      ...(input.phone ? { phoneNumber: input.phone } : {}),
    };
    const res = await veriffRequest<{
      status?: unknown;
      verification?: { id?: unknown; url?: unknown; sessionToken?: unknown };
    }>(config, 'POST', '/sessions', {
      body: {
        verification: {
          ...(Object.keys(person).length ? { person } : {}),
          vendorData: input.customerId,
        },
      },
    });
    const id = str(res.verification?.id);
    const url = str(res.verification?.url);
    if (!id || !url) throw new ConnectorError('provider_error', 'Veriff: the session answer has no id or url');
    // the session token is what Veriff's in-page SDK (InContext) takes; the hosted flow needs only the url
    return { providerId: id, accessToken: str(res.verification?.sessionToken) ?? url, verificationUrl: url };
  },

  async fetchDetails(config, providerId) {
    return veriffDetails(await decisionOf(config, providerId));
  },

  async fetchReview(config, providerId) {
    return reviewOf(await decisionOf(config, providerId));
  },

  parseWebhook(config, webhook): KycWebhookEvent {
    verifyVeriffWebhook(
      requireCredential(config, 'shared_secret'),
      config.credentials?.api_key,
      webhook.body,
      webhook.headers,
    );
    const payload = parseBody(webhook.body);
    const v = payload.verification;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      // a decision webhook: {status: "success", verification: {...}, technicalData}
      const d = v as VeriffDecision;
      const id = str(d.id);
      const status = str(d.status) ?? 'unknown';
      const review = reviewOf(d);
      return {
        // Veriff gives decisions no event id: one session's decision is one status at one decision time
        eventKey: `decision:${id ?? '-'}:${status}:${str(d.decisionTime) ?? '-'}`,
        eventType: 'decision',
        providerId: id,
        customerRef: str(d.vendorData),
        ...review,
        needsDetails: review.status !== null,
        payload,
      };
    }
    // an event webhook: {id, attemptId, feature, code: 7001|7002, action: "started"|"submitted", vendorData}
    const action = str(payload.action) ?? 'unknown';
    return {
      eventKey: `event:${str(payload.id) ?? '-'}:${str(payload.attemptId) ?? '-'}:${action}`,
      eventType: `event:${action}`,
      providerId: str(payload.id),
      customerRef: str(payload.vendorData),
      status: null,
      providerStatus: action,
      rejectLabels: [],
      occurredAt: null,
      needsDetails: false,
      payload,
    };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'veriff',
    name: 'Veriff',
    category: 'kyc',
    credential_fields: [
      { name: 'api_key', label: 'API key (X-AUTH-CLIENT)', secret: true, required: true },
      // Required: decisions arrive by webhook, and an unverifiable webhook cannot be trusted.
      { name: 'shared_secret', label: 'Shared secret key', secret: true, required: true },
    ],
    hosts: ['stationapi.veriff.com'],
    settings: [],
  },

  /**
   * A signed GET of a documented endpoint (docs/providers/veriff.md#calls): the decision of a session id that
   * cannot exist. "Not found" proves the key and the signature were accepted; 401/403 are refusals.
   */
  async test(config) {
    try {
      await decisionOf(config, randomUUID());
    } catch (err) {
      if (err instanceof ConnectorError && err.options.httpStatus === 404) return;
      throw err;
    }
  },

  kyc: veriffKyc,
};
