import type { CommsStatus } from '@app/contracts';

import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { mapped, requireCredential } from '../../http';
import type { VoicePort } from '../../ports/voice.port';
import { twilioCreate, twilioEvent, verifiedTwilioForm } from './twilio.callbacks';
import { fetchTwilioAccount, twilioCredentialFields } from './twilio.shared';

/** CallStatus mapping (docs/providers/twilio_voice.md). */
export const STATUS: Record<string, CommsStatus> = {
  queued: 'initiated',
  initiated: 'initiated',
  ringing: 'ringing',
  'in-progress': 'answered',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

/** What Twilio can dial as the agent leg: a number, a SIP URI or a Client identity. */
const DIALABLE_AGENT = /^(\+[1-9]\d{1,14}|sip:\S+|client:\S+)$/;

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Click-to-call: Twilio rings the agent first; when the agent answers, the inline TwiML dials the lead
 * with our number as caller id. The call resource (and its callbacks) is the agent leg.
 */
const voice: VoicePort = {
  async call(config, call, opts) {
    const from = requireCredential(config, 'from_number');
    if (!DIALABLE_AGENT.test(call.agent)) {
      throw new ConnectorError(
        'refused',
        'Twilio Voice needs the agent as an E.164 number, sip: URI or client: identity',
      );
    }
    const form = new URLSearchParams({
      To: call.agent,
      From: from,
      Twiml: `<Response><Dial callerId="${xml(from)}"><Number>${xml(call.to)}</Number></Dial></Response>`,
      StatusCallback: opts.statusCallbackUrl,
      StatusCallbackMethod: 'POST',
    });
    for (const e of ['initiated', 'ringing', 'answered', 'completed']) form.append('StatusCallbackEvent', e);
    const created = await twilioCreate<{ sid?: string; status?: string }>(config, '/Calls.json', form, opts.timeoutMs);
    if (!created.sid) throw new ConnectorError('provider_error', 'Twilio answered without a call sid');
    const providerStatus = created.status ?? 'queued';
    return { providerMessageId: created.sid, status: mapped(STATUS, providerStatus) ?? 'initiated', providerStatus };
  },
  parseCallback(config, cb) {
    return twilioEvent(verifiedTwilioForm(config, cb), cb.url, 'CallSid', 'CallStatus', STATUS);
  },
};

// Twilio Voice click-to-call (docs/providers/twilio_voice.md). Same account, auth and signatures as twilio_sms.
export const connector: Connector = {
  manifest: {
    key: 'twilio_voice',
    name: 'Twilio Voice',
    category: 'voip',
    // Calls.json has no Messaging Service alternative: From is mandatory for every call.
    credential_fields: twilioCredentialFields(true),
    hosts: ['api.twilio.com'],
    settings: [],
  },

  async test(config) {
    requireCredential(config, 'from_number');
    await fetchTwilioAccount(config);
  },
  voice,
};
