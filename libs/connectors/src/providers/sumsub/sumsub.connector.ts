import { createHash, randomUUID } from 'node:crypto';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../../http';
import type { KycPort, KycWebhookEvent } from '../../ports/kyc.port';
import type { ConnectorConfig } from '../../types';
import {
  mapSumsubStatus,
  parseSumsubTime,
  rejectLabelsOf,
  sumsubDetails,
  sumsubProviderStatus,
  type SumsubApplicant,
  type SumsubReviewResult,
} from './sumsub.mapping';
import { sumsubAuthHeaders, verifySumsubWebhook } from './sumsub.signing';

const API = 'https://api.sumsub.com';
export const SUMSUB_DEFAULT_LEVEL = 'basic-kyc-level';

/** SumSub's error shape: `{description, code, correlationId, ...}`; `description` is the reason. */
function reason(text: string, status: number): string {
  try {
    const d = (JSON.parse(text) as { description?: unknown }).description;
    if (typeof d === 'string' && d) return `Sumsub: ${d}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `Sumsub answered HTTP ${status}`;
}

/**
 * One signed SumSub API call. The JSON body is serialized once and those exact bytes are both signed
 * and sent, since SumSub signs the raw body.
 */
async function sumsubRequest<T>(
  config: ConnectorConfig,
  method: string,
  pathWithQuery: string,
  body?: unknown,
): Promise<T> {
  const appToken = requireCredential(config, 'app_token');
  const secretKey = requireCredential(config, 'secret_key');
  const payload = body === undefined ? '' : JSON.stringify(body);
  const res = await providerFetch(`${baseUrl(config, API)}${pathWithQuery}`, {
    method,
    // SumSub's docs ask for this header even on GETs without a body.
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...sumsubAuthHeaders(appToken, secretKey, method, pathWithQuery, payload),
    },
    body: payload === '' ? undefined : payload,
  });
  if (res.status < 200 || res.status > 299) throw failFromStatus(res.status, reason(res.text, res.status), res.headers);
  return res.json<T>();
}

/** WebSDK access tokens live this long: enough for one verification session. */
const ACCESS_TOKEN_TTL_S = 1800;
/** Events after which the applicant's documents or personal data may have changed. */
const DETAIL_EVENTS = new Set(['applicantReviewed', 'applicantPersonalInfoChanged', 'applicantWorkflowCompleted']);

function levelOf(config: ConnectorConfig, given?: string): string {
  const configured = config.settings?.level_name;
  return given ?? (typeof configured === 'string' && configured ? configured : SUMSUB_DEFAULT_LEVEL);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

async function createOrFind(
  config: ConnectorConfig,
  customerId: string,
  level: string,
  email?: string,
  phone?: string,
): Promise<SumsubApplicant> {
  const body = { externalUserId: customerId, ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  try {
    return await sumsubRequest<SumsubApplicant>(
      config,
      'POST',
      `/resources/applicants?levelName=${encodeURIComponent(level)}`,
      body,
    );
  } catch (err) {
    // 409: the applicant exists already (a retry after a lost answer, or created by the WebSDK)
    if (!(err instanceof ConnectorError && err.options.httpStatus === 409)) throw err;
    return sumsubRequest<SumsubApplicant>(
      config,
      'GET',
      `/resources/applicants/-;externalUserId=${encodeURIComponent(customerId)}/one`,
    );
  }
}

/** KycPort over SumSub's API (docs/providers/sumsub.md). */
export const sumsubKyc: KycPort = {
  async createApplicant(config, input) {
    const level = levelOf(config, input.levelName);
    const applicant = await createOrFind(config, input.customerId, level, input.email, input.phone);
    if (!applicant.id) throw new ConnectorError('provider_error', 'Sumsub: the applicant has no id');
    const token = await sumsubRequest<{ token?: string }>(config, 'POST', '/resources/accessTokens/sdk', {
      userId: input.customerId,
      levelName: level,
      ttlInSecs: ACCESS_TOKEN_TTL_S,
    });
    if (!token.token) throw new ConnectorError('provider_error', 'Sumsub: no access token in the answer');
    return { providerId: applicant.id, accessToken: token.token };
  },

  async fetchDetails(config, providerId) {
    return sumsubDetails(
      await sumsubRequest<SumsubApplicant>(
        config,
        'GET',
        `/resources/applicants/${encodeURIComponent(providerId)}/one`,
      ),
    );
  },

  async fetchReview(config, providerId) {
    const s = await sumsubRequest<{ reviewStatus?: unknown; reviewResult?: SumsubReviewResult; reviewDate?: unknown }>(
      config,
      'GET',
      `/resources/applicants/${encodeURIComponent(providerId)}/status`,
    );
    return {
      status: mapSumsubStatus(s.reviewStatus, s.reviewResult),
      providerStatus: sumsubProviderStatus(s.reviewStatus, s.reviewResult),
      rejectLabels: rejectLabelsOf(s.reviewResult),
      occurredAt: parseSumsubTime(s.reviewDate),
    };
  },

  parseWebhook(config, webhook): KycWebhookEvent {
    verifySumsubWebhook(requireCredential(config, 'webhook_secret'), webhook.body, webhook.headers);
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(webhook.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new ConnectorError('refused', 'Sumsub webhook body is not JSON');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new ConnectorError('refused', 'Sumsub webhook body is not a JSON object');
    const result = payload.reviewResult ?? undefined;
    const eventType = str(payload.type) ?? 'unknown';
    return {
      // correlationId is unique per event and kept across SumSub's retries; lacking it, the body digest
      eventKey: str(payload.correlationId) ?? `sha256:${createHash('sha256').update(webhook.body).digest('hex')}`,
      eventType,
      providerId: str(payload.applicantId),
      customerRef: str(payload.externalUserId),
      status: mapSumsubStatus(payload.reviewStatus, result, eventType),
      providerStatus: sumsubProviderStatus(payload.reviewStatus, result),
      rejectLabels: rejectLabelsOf(result),
      occurredAt: parseSumsubTime(payload.createdAtMs),
      needsDetails: DETAIL_EVENTS.has(eventType) || payload.reviewStatus === 'completed',
      payload,
    };
  },
};

export const connector: Connector = {
  manifest: {
    key: 'sumsub',
    name: 'Sumsub',
    category: 'kyc',
    credential_fields: [
      { name: 'app_token', label: 'App token', secret: true, required: true },
      { name: 'secret_key', label: 'Secret key', secret: true, required: true },
      // Required: KYC decisions arrive only by webhook, and an unverifiable webhook cannot be trusted.
      { name: 'webhook_secret', label: 'Webhook secret key', secret: true, required: true },
    ],
    hosts: ['api.sumsub.com'],
    settings: [{ name: 'level_name', label: 'Verification level for new applicants', default: SUMSUB_DEFAULT_LEVEL }],
  },

  /**
   * A cheap signed GET of a documented endpoint (docs/providers/sumsub.md): the applicant of an external id that
   * cannot exist. "Not found" proves the token and signature were accepted; 401/403 are refusals.
   */
  async test(config) {
    const probe = `connector-test-${randomUUID()}`;
    try {
      await sumsubRequest(config, 'GET', `/resources/applicants/-;externalUserId=${encodeURIComponent(probe)}/one`);
    } catch (err) {
      if (err instanceof ConnectorError && err.options.httpStatus === 404) return;
      throw err;
    }
  },

  kyc: sumsubKyc,
};
