import type { CommsStatus } from '@app/contracts';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { mapped } from '../../http';
import type { SmsPort } from '../../ports/sms.port';
import { twilioCreate, twilioEvent, verifiedTwilioForm } from './twilio.callbacks';
import { fetchTwilioAccount, twilioCredentialFields } from './twilio.shared';

/** Status mapping (docs/providers/twilio_sms.md); inbound-only statuses change nothing. */
export const STATUS: Record<string, CommsStatus | null> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  read: 'opened',
  partially_delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
  receiving: null,
  received: null,
};

const sms: SmsPort = {
  async send(config, message, opts) {
    const service = config.settings?.messaging_service_sid;
    const from = config.credentials?.from_number;
    const form = new URLSearchParams({ To: message.to, Body: message.body, StatusCallback: opts.statusCallbackUrl });
    if (typeof service === 'string' && service !== '') form.set('MessagingServiceSid', service);
    else if (from) form.set('From', from);
    else
      throw new ConnectorError('invalid_config', 'credential from_number or setting messaging_service_sid must be set');
    const created = await twilioCreate<{ sid?: string; status?: string }>(
      config,
      '/Messages.json',
      form,
      opts.timeoutMs,
    );
    if (!created.sid) throw new ConnectorError('provider_error', 'Twilio answered without a message sid');
    const providerStatus = created.status ?? 'queued';
    return { providerMessageId: created.sid, status: mapped(STATUS, providerStatus) ?? 'queued', providerStatus };
  },
  parseCallback(config, cb) {
    return twilioEvent(verifiedTwilioForm(config, cb), cb.url, 'MessageSid', 'MessageStatus', STATUS);
  },
};

// Twilio Programmable Messaging (docs/providers/twilio_sms.md). Signature helpers live in ./twilio.shared.
export const connector: Connector = {
  manifest: {
    key: 'twilio_sms',
    name: 'Twilio SMS',
    category: 'sms',
    // from_number is optional here: a Messaging Service SID can send instead of a fixed number.
    credential_fields: twilioCredentialFields(false),
    hosts: ['api.twilio.com'],
    settings: [
      { name: 'messaging_service_sid', label: 'Messaging Service SID (MG..., used instead of the from number)' },
    ],
  },

  async test(config) {
    // A sender is needed for every send: catch a config that authenticates but could never send.
    const service = config.settings?.messaging_service_sid;
    if (!config.credentials?.from_number && !(typeof service === 'string' && service !== '')) {
      throw new ConnectorError('invalid_config', 'credential from_number or setting messaging_service_sid must be set');
    }
    await fetchTwilioAccount(config);
  },
  sms,
};
