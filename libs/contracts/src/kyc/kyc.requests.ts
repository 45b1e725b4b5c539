import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';
import type {
  ApplicantCreated,
  CreateApplicantRequest,
  CustomerKycRequest,
  InternalKycWebhookReply,
  InternalKycWebhookRequest,
  KycRecordView,
} from './kyc.messages';

/** Request subjects of the kyc service and their [request, reply] types (merged into RequestMap). */
export type KycRequests = {
  'kyc.webhooks.receive': [InboundWebhook, WebhookReply];
  'kyc.applicants.create': [CreateApplicantRequest, ApplicantCreated];
  'kyc.customers.get': [CustomerKycRequest, KycRecordView];
  'kyc.webhooks.internal': [InternalKycWebhookRequest, InternalKycWebhookReply];
};
