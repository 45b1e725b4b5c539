import type { Connector } from '../connector';
import { ConnectorError } from '../connector-error';
import { fetchTwilioAccount, twilioCredentialFields } from './twilio.shared';

// Twilio Programmable Messaging (PROVIDERS.md §6). Signature helpers live in ./twilio.shared.
export const connector: Connector = {
  manifest: {
    key: 'twilio_sms',
    name: 'Twilio SMS',
    category: 'sms',
    // from_number is optional here: a Messaging Service SID can send instead of a fixed number.
    credential_fields: twilioCredentialFields(false),
    settings: [{ name: 'messaging_service_sid', label: 'Messaging Service SID (MG..., used instead of the from number)' }],
  },

  async test(config) {
    // A sender is needed for every send: catch a config that authenticates but could never send.
    const service = config.settings?.messaging_service_sid;
    if (!config.credentials?.from_number && !(typeof service === 'string' && service !== '')) {
      throw new ConnectorError('invalid_config', 'credential from_number or setting messaging_service_sid must be set');
    }
    await fetchTwilioAccount(config);
  },
};
