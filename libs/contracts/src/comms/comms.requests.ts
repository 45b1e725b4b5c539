import type { InboundWebhook, WebhookReply } from '../webhooks/webhooks.messages';
import type {
  CallReply,
  CreateCallRequest,
  ListMessagesRequest,
  MessageIdRequest,
  MessageListView,
  MessageView,
  SendEmailRequest,
  SendReply,
  SendSmsRequest,
} from './comms.messages';

/** Request subjects of the comms service and their [request, reply] types (merged into RequestMap). */
export type CommsRequests = {
  'comms.webhooks.receive': [InboundWebhook, WebhookReply];
  'comms.email.send': [SendEmailRequest, SendReply];
  'comms.sms.send': [SendSmsRequest, SendReply];
  'comms.calls.create': [CreateCallRequest, CallReply];
  'comms.messages.get': [MessageIdRequest, MessageView];
  'comms.messages.list': [ListMessagesRequest, MessageListView];
};
