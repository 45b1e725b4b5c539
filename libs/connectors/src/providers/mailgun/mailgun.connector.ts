import type { Connector } from '../../connector';
import { ConnectorError } from '../../connector-error';
import { baseUrl, failFromStatus, providerFetch, requireCredential } from '../../http';
import type { EmailPort } from '../../ports/email.port';
import type { ConnectorConfig } from '../../types';
import { parseMailgunWebhook } from './mailgun.webhooks';

/** The two regions Mailgun documents; a domain lives in one of them. */
const REGIONS: Record<string, string> = {
  us: 'https://api.mailgun.net',
  eu: 'https://api.eu.mailgun.net',
};

function apiBase(config: ConnectorConfig): string {
  const region = config.settings?.region ?? 'us';
  if (typeof region !== 'string' || !Object.hasOwn(REGIONS, region))
    throw new ConnectorError('invalid_config', 'setting region must be us or eu');
  return baseUrl(config, REGIONS[region]);
}

/** Mailgun's error shape: `{message}` (a 401 answers the plain text `Forbidden`). */
export function mailgunReason(text: string, status: number): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return `Mailgun: ${message}`;
  } catch {
    /* not JSON */
  }
  return `Mailgun answered HTTP ${status}`;
}

/** HTTP Basic `api:<key>` call under /v3 (exported for its spec). */
export async function mailgunRequest(
  config: ConnectorConfig,
  method: string,
  path: string,
  form?: URLSearchParams,
  timeoutMs?: number,
) {
  const apiKey = requireCredential(config, 'api_key');
  const res = await providerFetch(`${apiBase(config)}/v3${path}`, {
    method,
    timeoutMs,
    headers: {
      authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`,
      accept: 'application/json',
    },
    body: form,
  });
  if (res.status < 200 || res.status > 299)
    throw failFromStatus(res.status, mailgunReason(res.text, res.status), res.headers);
  return res;
}

const domainPath = (config: ConnectorConfig) => `/${encodeURIComponent(requireCredential(config, 'domain'))}`;

/** POST /v3/<domain>/messages: our message id as the user variable `message_id` (echoed in every event). */
const email: EmailPort = {
  async send(config, mail, opts) {
    const fromEmail = mail.fromEmail ?? config.credentials?.from_email;
    if (!fromEmail) throw new ConnectorError('refused', 'Mailgun needs a sender: from_email is required');
    if (mail.text === undefined && mail.html === undefined)
      throw new ConnectorError('refused', 'Mailgun needs a body: text or html');
    const form = new URLSearchParams({
      from: mail.fromName ? `"${mail.fromName.replace(/["\\\r\n]/g, '')}" <${fromEmail}>` : fromEmail,
      to: mail.to,
      subject: mail.subject,
    });
    if (mail.text !== undefined) form.set('text', mail.text);
    if (mail.html !== undefined) form.set('html', mail.html);
    form.set('v:message_id', mail.messageId);
    const tracking = config.settings?.tracking ?? 'yes';
    form.set('o:tracking', tracking === 'no' || tracking === false ? 'no' : 'yes');
    const res = await mailgunRequest(config, 'POST', `${domainPath(config)}/messages`, form, opts.timeoutMs);
    const answer = res.json<{ id?: unknown; message?: unknown }>();
    if (typeof answer.id !== 'string' || !answer.id)
      throw new ConnectorError('provider_error', 'Mailgun answered without a message id');
    return {
      // "<20260203192638.000be97f99f8cea1@mg.example.com>": events carry it without the brackets
      providerMessageId: answer.id.replace(/^<|>$/g, ''),
      status: 'sent',
      providerStatus: typeof answer.message === 'string' ? answer.message.slice(0, 200) : 'queued',
    };
  },
  parseCallback: parseMailgunWebhook,
};

export const connector: Connector = {
  manifest: {
    key: 'mailgun',
    name: 'Mailgun',
    category: 'email',
    credential_fields: [
      { name: 'api_key', label: 'Private API key', secret: true, required: true },
      { name: 'domain', label: 'Sending domain (e.g. mg.example.com)', secret: false, required: true },
      // optional because sending works without webhooks; every webhook is refused until it is set
      { name: 'webhook_signing_key', label: 'HTTP webhook signing key', secret: true, required: false },
      { name: 'from_email', label: 'Default sender email', secret: false, required: false },
    ],
    hosts: ['api.mailgun.net', 'api.eu.mailgun.net'],
    settings: [
      { name: 'region', label: 'Region of the domain: us (api.mailgun.net) or eu (api.eu.mailgun.net)', default: 'us' },
      { name: 'tracking', label: 'Open and click tracking (o:tracking): yes or no', default: 'yes' },
    ],
  },

  /** GET /v3/domains/<domain>: proves the key and that the domain is on this account (and in this region). */
  async test(config) {
    await mailgunRequest(config, 'GET', `/domains${domainPath(config)}`);
  },
  email,
};
