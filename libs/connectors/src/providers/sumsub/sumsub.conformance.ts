import { randomBytes, randomUUID } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import type { ConnectorConfig } from '../../types';
import { SumsubFake } from './sumsub.fake';
import { SUMSUB_STATUS_TABLE } from './sumsub.mapping';

const CREDS = {
  app_token: 'sbx:conformance-app-token-0123',
  secret_key: 'sumsub-conformance-secret-4567',
  webhook_secret: 'sumsub-conformance-webhook-89ab',
};

/**
 * SumSub's review states (docs/providers/sumsub.md, status mapping), a completed review written as the
 * connector records it: `completed/<reviewAnswer>[/<reviewRejectType>]`.
 */
const DOCUMENTED = [
  'init',
  'pending',
  'prechecked',
  'queued',
  'awaitingService',
  'awaitingUser',
  'onHold',
  'completed',
  'completed/GREEN',
  'completed/RED/RETRY',
  'completed/RED/FINAL',
];

/** The webhook type SumSub fires with each review state. */
const TYPES: Record<string, string> = {
  init: 'applicantCreated',
  pending: 'applicantPending',
  onHold: 'applicantOnHold',
  completed: 'applicantReviewed',
};

const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Record<string, unknown>;

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new SumsubFake({
      appToken: CREDS.app_token,
      secretKey: CREDS.secret_key,
      webhookSecret: CREDS.webhook_secret,
    }).start();
    const config: ConnectorConfig = { credentials: { ...CREDS }, settings: { base_url: fake.baseUrl } };
    return {
      fake,
      config,
      wrongCredentials: { secret_key: 'sumsub-wrong-secret-9876543210' },
      call: (c, config) => c.kyc!.createApplicant(config, { customerId: randomUUID(), email: 'lead@example.com' }),
      webhooks: {
        // each webhook a new correlationId, as SumSub gives every event
        signed: ({ status = 'completed/GREEN' }) => {
          const [reviewStatus, reviewAnswer, reviewRejectType] = status.split('/');
          return fake.signedWebhook({
            applicantId: randomBytes(12).toString('hex'),
            inspectionId: randomBytes(12).toString('hex'),
            correlationId: randomBytes(16).toString('hex'),
            externalUserId: 'conformance-customer',
            levelName: 'basic-kyc-level',
            type: Object.hasOwn(TYPES, reviewStatus) ? TYPES[reviewStatus] : 'applicantPersonalInfoChanged',
            sandboxMode: true,
            reviewStatus,
            ...(reviewAnswer
              ? { reviewResult: { reviewAnswer, ...(reviewRejectType ? { reviewRejectType } : {}) } }
              : {}),
            createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', ''),
            applicantType: 'individual',
            clientId: 'conformance-client',
          });
        },
        verifying: ['webhook_secret'],
        unsigned: (cb) => {
          const { 'x-payload-digest': _digest, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // the digest is over the whole body: the review answer is signed
        tampered: (cb) => ({
          ...cb,
          body: Buffer.from(
            JSON.stringify({ ...read(cb), reviewResult: { reviewAnswer: 'RED', reviewRejectType: 'FINAL' } }),
          ),
        }),
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'x-payload-digest': cb.headers['x-payload-digest'].toUpperCase() },
        }),
        exempt: {
          stale:
            'SumSub signs no timestamp (docs/providers/sumsub.md: "The webhook digest has no timestamp"): a replay keys the same correlationId',
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: SUMSUB_STATUS_TABLE,
    lifecycles: [
      ['init', 'pending', 'queued', 'completed/GREEN'],
      ['init', 'awaitingUser', 'pending', 'prechecked', 'awaitingService', 'completed/GREEN'],
      ['init', 'pending', 'onHold', 'completed/RED/FINAL'],
      ['init', 'pending', 'completed/RED/RETRY', 'pending', 'completed/GREEN'],
    ],
  },
};
