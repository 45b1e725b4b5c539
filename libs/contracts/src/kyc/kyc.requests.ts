import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';

/** Request subjects of the kyc service and their [request, reply] types (merged into RequestMap). */
export type KycRequests = {
  'kyc.webhooks.receive': [InboundWebhook, WebhookReply];
};
