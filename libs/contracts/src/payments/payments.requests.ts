import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';

/** Request subjects of the payments service and their [request, reply] types (merged into RequestMap). */
export type PaymentsRequests = {
  'payments.webhooks.receive': [InboundWebhook, WebhookReply];
};
