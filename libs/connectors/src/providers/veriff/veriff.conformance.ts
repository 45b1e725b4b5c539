import { randomUUID } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import type { ConnectorConfig } from '../../types';
import { veriffKyc } from './veriff.connector';
import { VeriffFake, type VeriffFakeDecisionStatus } from './veriff.fake';
import { VERIFF_DECISION_STATUSES } from './veriff.mapping';

const API_KEY = 'veriff-conformance-api-key-0123';
const SHARED = 'veriff-conformance-shared-secret-4567';

/**
 * The `verification.status` values of Veriff's decision webhook (docs/providers/veriff.md, status mapping).
 * The event webhook's `started` and `submitted` are actions of another kind of callback, mapped to no
 * status on purpose; `signed` still makes them, for the lifecycles.
 */
const DOCUMENTED = ['approved', 'declined', 'resubmission_requested', 'expired', 'abandoned', 'review'];

const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Record<string, unknown>;

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new VeriffFake({ apiKey: API_KEY, sharedSecret: SHARED }).start();
    const config: ConnectorConfig = {
      credentials: { api_key: API_KEY, shared_secret: SHARED },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { shared_secret: 'veriff-wrong-shared-secret-9876' },
      call: (c, config) => c.kyc!.createApplicant(config, { customerId: randomUUID(), email: 'lead@example.com' }),
      webhooks: {
        // each callback is a session of its own: a decision's key is its session, status and decision time
        signed: async ({ status = 'approved' }) => {
          const { providerId } = await veriffKyc.createApplicant(config, { customerId: randomUUID() });
          if (status === 'started' || status === 'submitted') return fake.eventWebhook(providerId, status);
          fake.decide(providerId, status as VeriffFakeDecisionStatus);
          return fake.decisionWebhook(providerId);
        },
        verifying: ['shared_secret'],
        unsigned: (cb) => {
          const { 'x-hmac-signature': _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // the signature is over the raw body: the decision is signed
        tampered: (cb) => {
          const b = read(cb) as { verification: Record<string, unknown> };
          return {
            ...cb,
            body: Buffer.from(
              JSON.stringify({
                ...b,
                verification: {
                  ...b.verification,
                  status: b.verification.status === 'approved' ? 'declined' : 'approved',
                },
              }),
            ),
          };
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'x-hmac-signature': cb.headers['x-hmac-signature'].toUpperCase() },
        }),
        exempt: {
          stale:
            'Veriff signs the raw body only, with no signed timestamp (docs/providers/veriff.md, signature): a replay keys the same decision (session, status, decisionTime)',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: VERIFF_DECISION_STATUSES,
    lifecycles: [
      ['started', 'submitted', 'approved'],
      ['started', 'submitted', 'review', 'approved'],
      ['started', 'submitted', 'review', 'declined'],
      ['started', 'submitted', 'resubmission_requested', 'started', 'submitted', 'approved'],
      ['started', 'expired'],
      ['started', 'abandoned'],
    ],
  },
};
