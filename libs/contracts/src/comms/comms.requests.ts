import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';

/** Request subjects of the comms service and their [request, reply] types (merged into RequestMap). */
export type CommsRequests = {
  'comms.webhooks.receive': [InboundWebhook, WebhookReply];
};
