import type { Connector } from '../connector';
import { requireCredential } from '../http';
import { fetchTwilioAccount, twilioCredentialFields } from './twilio.shared';

// Twilio Voice click-to-call (PROVIDERS.md §7). Same account, auth and signatures as twilio_sms.
export const connector: Connector = {
  manifest: {
    key: 'twilio_voice',
    name: 'Twilio Voice',
    category: 'voip',
    // Calls.json has no Messaging Service alternative: From is mandatory for every call.
    credential_fields: twilioCredentialFields(true),
    settings: [],
  },

  async test(config) {
    requireCredential(config, 'from_number');
    await fetchTwilioAccount(config);
  },
};
