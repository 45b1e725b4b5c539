import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../../http';
import type { EmailPort } from '../../ports/email.port';
import type { ConnectorConfig } from '../../types';
import { parseSendgridEvents } from './sendgrid.events';
import { sendgridPublicKey } from './sendgrid.signing';

const API = 'https://api.sendgrid.com';

/** SendGrid's error shape: `{errors: [{message, field, help}]}`. */
export function sendgridReason(text: string, status: number): string {
  try {
    const errors = (JSON.parse(text) as { errors?: { message?: unknown; field?: unknown }[] }).errors ?? [];
    const msgs = errors
      .map((e) =>
        typeof e.message === 'string'
          ? typeof e.field === 'string' && e.field
            ? `${e.field}: ${e.message}`
            : e.message
          : '',
      )
      .filter(Boolean);
    if (msgs.length) return `SendGrid: ${msgs.join('; ')}`;
  } catch {
    /* not JSON: fall through to the status */
  }
  return `SendGrid answered HTTP ${status}`;
}

/** Bearer-authenticated SendGrid call (exported for its spec). */
export async function sendgridRequest(
  config: ConnectorConfig,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs?: number,
) {
  const apiKey = requireCredential(config, 'api_key');
  const res = await providerFetch(`${baseUrl(config, API)}${path}`, {
    method,
    timeoutMs,
    headers: {
      Authorization: `Bearer ${apiKey}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status < 200 || res.status > 299)
    throw failFromStatus(res.status, sendgridReason(res.text, res.status), res.headers);
  return res;
}

/** v3 mail send: our message id in custom_args (echoed on every event), X-Message-Id kept. */
const email: EmailPort = {
  async send(config, mail, opts) {
    if (!mail.fromEmail) throw new ConnectorError('refused', 'SendGrid needs a sender: from_email is required');
    // SendGrid requires text/plain before text/html.
    const content = [
      ...(mail.text !== undefined ? [{ type: 'text/plain', value: mail.text }] : []),
      ...(mail.html !== undefined ? [{ type: 'text/html', value: mail.html }] : []),
    ];
    const res = await sendgridRequest(
      config,
      'POST',
      '/v3/mail/send',
      {
        personalizations: [{ to: [{ email: mail.to }] }],
        from: { email: mail.fromEmail, ...(mail.fromName ? { name: mail.fromName } : {}) },
        subject: mail.subject,
        content,
        custom_args: { message_id: mail.messageId },
      },
      opts.timeoutMs,
    );
    return {
      providerMessageId: res.headers.get('x-message-id'),
      status: 'sent',
      providerStatus: `accepted (HTTP ${res.status})`,
    };
  },
  parseCallback: parseSendgridEvents,
};

export const connector: Connector = {
  manifest: {
    key: 'sendgrid',
    name: 'SendGrid',
    category: 'email',
    credential_fields: [
      { name: 'api_key', label: 'API key', secret: true, required: true },
      // Public key, not a secret; optional because sending works without the signed Event Webhook.
      { name: 'webhook_verification_key', label: 'Event Webhook verification key', secret: false, required: false },
    ],
    hosts: ['api.sendgrid.com', 'api.eu.sendgrid.com'],
    settings: [],
  },

  /** GET /v3/scopes: proves the key and that it may send mail (a read-only key would fail later). */
  async test(config) {
    const key = config.credentials?.webhook_verification_key;
    if (typeof key === 'string' && key !== '') sendgridPublicKey(key);
    const res = await sendgridRequest(config, 'GET', '/v3/scopes');
    const scopes = res.json<{ scopes?: unknown }>().scopes;
    if (!Array.isArray(scopes) || !scopes.includes('mail.send')) {
      throw new ConnectorError('refused', 'SendGrid: the API key lacks the mail.send permission');
    }
  },
  email,
};
