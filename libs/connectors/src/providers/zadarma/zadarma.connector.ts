import type { Connector } from '../../connector';
import type { VoicePort } from '../../ports/voice.port';
import { zadarmaGet } from './zadarma.api';
import { confirmZadarmaOutcome, parseZadarmaNotification, zadarmaCorrelationKey } from './zadarma.notifications';

// Zadarma (docs/providers/zadarma.md).

/**
 * Click-to-call via request/callback: Zadarma rings `from` (the agent) first, then `to`. It answers with
 * no call id, so the call is matched later by its correlation key (NOTIFY_OUT_START carries pbx_call_id).
 */
const voice: VoicePort = {
  async call(config, call, opts) {
    const sip =
      typeof config.settings?.default_sip === 'string' && config.settings.default_sip !== ''
        ? config.settings.default_sip
        : undefined;
    const to = call.to.replace(/^\+/, '');
    await zadarmaGet(
      config,
      '/v1/request/callback/',
      { from: call.agent, to, ...(sip ? { sip } : {}) },
      opts.timeoutMs,
    );
    return {
      providerMessageId: null,
      status: 'initiated',
      providerStatus: 'success',
      correlationKey: zadarmaCorrelationKey(sip ?? call.agent, to),
    };
  },
  parseCallback: parseZadarmaNotification,
  confirmCallback: (config, event, opts) => confirmZadarmaOutcome(config, event, opts.timeoutMs),
};

export const connector: Connector = {
  manifest: {
    key: 'zadarma',
    name: 'Zadarma',
    category: 'voip',
    credential_fields: [
      { name: 'api_key', label: 'API key (user key)', secret: false, required: true },
      { name: 'api_secret', label: 'API secret', secret: true, required: true },
    ],
    hosts: ['api.zadarma.com', 'api-sandbox.zadarma.com'],
    settings: [{ name: 'default_sip', label: 'Default SIP / PBX extension for click-to-call' }],
  },

  async test(config) {
    // Cheapest signed call: read-only, no side effect.
    await zadarmaGet(config, '/v1/info/balance/');
  },
  voice,
};
