import type { CommsStatus } from '@app/contracts';

import { ConnectorError } from '../../connector-error';
import { failFromStatus, mapped, providerFetch, requireCredential } from '../../http';
import type { CallbackResult, DeliveryEvent, InboundCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';
import { twilioAccountUrl, twilioBasicAuth, twilioReason, validateTwilioSignature } from './twilio.shared';

// Twilio status callbacks (docs/providers/twilio_sms.md, twilio_voice.md) and the form POST both connectors send with.

/** Verifies X-Twilio-Signature over the public URL and the form fields; returns the fields. */
export function verifiedTwilioForm(config: ConnectorConfig, cb: InboundCallback): URLSearchParams {
  const token = config.credentials?.auth_token;
  if (!token) throw new ConnectorError('bad_signature', 'no Twilio auth_token is configured');
  const params = new URLSearchParams(cb.body.toString('utf8'));
  if (!validateTwilioSignature(token, cb.headers['x-twilio-signature'], cb.url, params)) {
    throw new ConnectorError('bad_signature', 'X-Twilio-Signature does not match');
  }
  return params;
}

/** Our message id, from the query of the StatusCallback URL we gave Twilio (signed with the rest of the URL). */
export function messageIdFromUrl(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('message_id') ?? undefined;
  } catch {
    return undefined;
  }
}

/** One status callback as a DeliveryEvent; the status name is also the de-duplication key (one callback per status). */
export function twilioEvent(
  params: URLSearchParams,
  url: string,
  sidField: string,
  statusField: string,
  map: Record<string, CommsStatus | null>,
): CallbackResult {
  const sid = params.get(sidField) ?? '';
  const providerStatus = params.get(statusField) ?? '';
  if (!sid || !providerStatus)
    throw new ConnectorError('refused', `Twilio callback without ${sidField} or ${statusField}`);
  const errorCode = params.get('ErrorCode') ?? undefined;
  const details: Record<string, unknown> = {};
  if (errorCode) details.error_code = errorCode;
  if (params.get('CallDuration')) details.duration_seconds = Number(params.get('CallDuration'));
  const event: DeliveryEvent = {
    providerEventId: `${sid}:${providerStatus}`,
    messageId: messageIdFromUrl(url),
    providerMessageId: sid,
    // own keys only: "constructor" must not read Object.prototype.constructor
    status: mapped(map, providerStatus) ?? null,
    providerStatus,
    at: new Date(),
    details: Object.keys(details).length ? details : undefined,
  };
  // 21610: the recipient replied STOP. Twilio refuses every later message to them, so stop trying.
  if (errorCode === '21610' && params.get('To')) event.suppress = { address: params.get('To')!, reason: 'unsubscribe' };
  return { events: [event] };
}

/** A form POST to `{base}/Accounts/{sid}{suffix}` with basic auth; the created resource's JSON. */
export async function twilioCreate<T>(
  config: ConnectorConfig,
  suffix: string,
  form: URLSearchParams,
  timeoutMs?: number,
): Promise<T> {
  const sid = requireCredential(config, 'account_sid');
  const token = requireCredential(config, 'auth_token');
  const res = await providerFetch(twilioAccountUrl(config, suffix), {
    method: 'POST',
    timeoutMs,
    headers: {
      authorization: twilioBasicAuth(sid, token),
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form.toString(),
  });
  if (res.status < 200 || res.status >= 300) throw failFromStatus(res.status, twilioReason(res, config), res.headers);
  return res.json<T>();
}
