import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential, type ProviderResponse } from '../../http';
import type { DeliveryEvent } from '../../ports/delivery.port';
import type { VoicePort } from '../../ports/voice.port';
import type { ConnectorConfig } from '../../types';
import { encodeClientState, telnyxPublicKey, telnyxWebhookParser } from './telnyx.webhooks';

// Telnyx Call Control click-to-call (docs/providers/telnyx.md). Telnyx dials the agent with our
// client_state (message id, lead number); when the agent answers, its signed call.answered reaches
// confirmCallback, which transfers the agent leg to the lead (idempotent command_id). The lead leg's
// webhooks carry their own client_state naming the call, and its hangup_cause is the call's outcome.

export const TELNYX_API = 'https://api.telnyx.com/v2';

/** What Telnyx can dial as the agent: an E.164 number or a SIP URI. */
const DIALABLE_AGENT = /^(\+[1-9]\d{1,14}|sips?:[^\s@]+@[^\s@]+)$/;

/** Telnyx errors: `{"errors": [{"code", "title", "detail"}]}`; never carries the key (scrubbed anyway). */
function telnyxReason(res: ProviderResponse, config: ConnectorConfig): string {
  let reason = `HTTP ${res.status}`;
  try {
    const first = res.json<{ errors?: { code?: unknown; title?: unknown; detail?: unknown }[] }>().errors?.[0];
    if (first && typeof first.title === 'string') {
      const detail = typeof first.detail === 'string' && first.detail !== first.title ? `: ${first.detail}` : '';
      const code =
        typeof first.code === 'string' || typeof first.code === 'number' ? ` (Telnyx error ${first.code})` : '';
      reason = `${first.title}${detail}${code}`;
    }
  } catch {
    // Not JSON: the status alone.
  }
  const key = config.credentials?.api_key;
  return key ? reason.split(key).join('****') : reason;
}

/** An authenticated JSON request to the v2 API; a non-2xx answer is a ConnectorError. */
async function telnyxRequest<T>(
  config: ConnectorConfig,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
  timeoutMs?: number,
): Promise<T> {
  const key = requireCredential(config, 'api_key');
  const res = await providerFetch(`${baseUrl(config, TELNYX_API)}${path}`, {
    method,
    timeoutMs,
    headers: {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, telnyxReason(res, config), res.headers);
  return res.json<T>();
}

/** A call command on one leg. `command_id` makes a repeat of the same command a no-op at Telnyx. */
function command(
  config: ConnectorConfig,
  callControlId: string,
  action: 'transfer' | 'hangup',
  body: Record<string, unknown>,
  timeoutMs?: number,
) {
  return telnyxRequest<{ data?: { result?: unknown } }>(
    config,
    'POST',
    `/calls/${encodeURIComponent(callControlId)}/actions/${action}`,
    body,
    timeoutMs,
  );
}

const reasonOf = (err: unknown) => (err instanceof ConnectorError ? err.message : 'unexpected error');

/** 422 "call has already ended" (Telnyx error 90018) means the leg is gone: what a hangup wanted. */
const alreadyEnded = (err: unknown) =>
  err instanceof ConnectorError && err.options.httpStatus === 422 && /90018|already ended/i.test(err.message);

async function confirm(config: ConnectorConfig, e: DeliveryEvent, timeoutMs?: number): Promise<DeliveryEvent> {
  const c = e.confirm;
  if (!c) return e;
  const { confirm: _, ...event } = e;
  const hangupAgent = async () => {
    try {
      await command(config, c.call_control_id, 'hangup', { command_id: `hangup:${c.message_id}` }, timeoutMs);
      return 'done';
    } catch (err) {
      return alreadyEnded(err) ? 'already ended' : `failed: ${reasonOf(err)}`;
    }
  };
  if (c.action === 'hangup_agent')
    return { ...event, details: { ...event.details, agent_hangup: await hangupAgent() } };
  if (c.action !== 'transfer') return event;
  try {
    await command(
      config,
      c.call_control_id,
      'transfer',
      {
        to: c.to,
        from: requireCredential(config, 'from_number'),
        command_id: `transfer:${c.message_id}`,
        target_leg_client_state: encodeClientState({ m: c.message_id, leg: 'lead', a: c.call_control_id }),
        webhook_url: c.webhook_url,
        webhook_url_method: 'POST',
      },
      timeoutMs,
    );
    return { ...event, details: { ...event.details, transfer: 'requested' } };
  } catch (err) {
    // the lead is never dialled: the call failed, and the agent is not left on a silent line
    const reason = reasonOf(err);
    return {
      ...event,
      status: 'failed',
      providerStatus: `${event.providerStatus} (transfer failed)`,
      details: { ...event.details, transfer_error: reason, agent_hangup: await hangupAgent() },
    };
  }
}

const voice: VoicePort = {
  async call(config, call, opts) {
    const connectionId = requireCredential(config, 'connection_id');
    const from = requireCredential(config, 'from_number');
    if (!DIALABLE_AGENT.test(call.agent))
      throw new ConnectorError('refused', 'Telnyx needs the agent as an E.164 number or a sip: URI');
    const created = await telnyxRequest<{ data?: { call_control_id?: unknown } }>(
      config,
      'POST',
      '/calls',
      {
        connection_id: connectionId,
        to: call.agent,
        from,
        client_state: encodeClientState({ m: call.messageId, leg: 'agent', to: call.to }),
        // our query is not signed and not needed: client_state names the call
        webhook_url: opts.statusCallbackUrl.split('?')[0],
        webhook_url_method: 'POST',
        command_id: `dial:${call.messageId}`,
      },
      opts.timeoutMs,
    );
    const id = created.data?.call_control_id;
    if (typeof id !== 'string' || !id)
      throw new ConnectorError('provider_error', 'Telnyx answered without a call_control_id');
    return { providerMessageId: id, status: 'initiated', providerStatus: 'dialed' };
  },
  parseCallback: telnyxWebhookParser(),
  confirmCallback: (config, event, opts) => confirm(config, event, opts.timeoutMs),
};

export const connector: Connector = {
  manifest: {
    key: 'telnyx',
    name: 'Telnyx Call Control',
    category: 'voip',
    credential_fields: [
      { name: 'api_key', label: 'API key (v2)', secret: true, required: true },
      // required: the lead is only dialled on a verified call.answered of the agent leg
      { name: 'public_key', label: 'Public key (webhook signatures, base64)', secret: false, required: true },
      { name: 'connection_id', label: 'Call Control Application (connection) ID', secret: false, required: true },
      { name: 'from_number', label: 'From number (E.164, on the connection)', secret: false, required: true },
    ],
    hosts: ['api.telnyx.com'],
    settings: [],
  },

  /** GET /v2/call_control_applications/{connection_id}: proves the key and that the connection is this account's. */
  async test(config) {
    telnyxPublicKey(requireCredential(config, 'public_key'));
    requireCredential(config, 'from_number');
    const id = requireCredential(config, 'connection_id');
    await telnyxRequest(config, 'GET', `/call_control_applications/${encodeURIComponent(id)}`);
  },
  voice,
};
