import { PraxisFake } from '@app/connectors/providers/praxis/praxis.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import { SumsubFake } from '@app/connectors/providers/sumsub/sumsub.fake';
import { TwilioFake, type TwilioWebhook } from '@app/connectors/providers/twilio/twilio.fake';
import { startService, type RunningService } from '@app/runtime/service';
import { createTestInfra, TEST_API_KEY } from '@app/testing';

import { affiliatesService } from '../apps/affiliates/src/definition';
import { catalogService } from '../apps/catalog/src/definition';
import { commsService } from '../apps/comms/src/definition';
import { startGateway } from '../apps/gateway/src/gateway';
import { kycService } from '../apps/kyc/src/definition';
import { paymentsService } from '../apps/payments/src/definition';

const SENDGRID_KEY = 'SG.sandbox-key-abcdefghijklmnop-0001';
const PRAXIS = {
  merchantId: 'sandbox-merchant',
  applicationKey: 'sandbox-app-key',
  merchantSecret: 'praxis-sandbox-secret',
};
const SUMSUB = {
  appToken: 'sbx:sandbox-app-token',
  secretKey: 'sumsub-sandbox-secret',
  webhookSecret: 'sumsub-sandbox-hook',
};
const TWILIO = { sid: 'AC00000000000000000000000000sandbox', token: 'twilio-sandbox-token', from: '+15005550006' };

export interface Sandbox {
  url: string;
  apiKey: string;
  sendgrid: SendgridFake;
  twilio: TwilioFake;
  praxis: PraxisFake;
  sumsub: SumsubFake;
  /** Every callback a fake made: where to and the gateway's answer. */
  callbacks: { path: string; status: number }[];
  stop(): Promise<void>;
}

/**
 * The platform in this process on its own database and subject prefix, with provider fakes on loopback:
 * SendGrid for email, Twilio for SMS, Praxis for payments, SumSub for KYC. Loopback is reachable only
 * because this process names it in CONNECTOR_ALLOWED_HOSTS, as the tests do. The fakes call back as the
 * real providers do: a sent email is delivered and then opened, an SMS is delivered, a payment session
 * is approved and notified, a SumSub applicant is approved.
 */
export async function startSandbox(opts: { port: number; callbackDelayMs?: number }): Promise<Sandbox> {
  const url = `http://127.0.0.1:${opts.port}`;
  const delay = opts.callbackDelayMs ?? 1000;
  const sendgrid = await new SendgridFake({ apiKey: SENDGRID_KEY }).start();
  const twilio = await new TwilioFake(TWILIO.sid, TWILIO.token).start();
  const praxis = await new PraxisFake(PRAXIS).start();
  const sumsub = await new SumsubFake(SUMSUB).start();
  const callbacks: Sandbox['callbacks'] = [];
  // the connectors read it once per process, on first use, as under jest (jest.setup.cjs)
  process.env.CONNECTOR_ALLOWED_HOSTS ??= '127.0.0.1';
  const infra = await createTestInfra();
  const env = { ...infra.env, PORT: String(opts.port), PUBLIC_BASE_URL: url };
  const services: RunningService[] = [];
  services.push(await startService(catalogService, { env }), await startService(paymentsService, { env }));
  services.push(await startService(kycService, { env }), await startService(commsService, { env }));
  services.push(await startService(affiliatesService, { env }));
  const gateway = await startGateway({ env });
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, post: () => Promise<unknown>) => {
    const t = setTimeout(() => {
      timers.delete(t);
      post().catch((err: Error) => process.stderr.write(`sandbox: a fake's callback failed: ${err.message}\n`));
    }, ms);
    timers.add(t);
  };
  const deliver = (hook: TwilioWebhook) =>
    fetch(hook.url, { method: 'POST', headers: hook.headers, body: hook.body }).then(async (res) => {
      callbacks.push({ path: new URL(hook.url).pathname, status: res.status });
      if (!res.ok) throw new Error(`${res.status} from ${new URL(hook.url).pathname}: ${await res.text()}`);
    });
  const events = (id: string, names: string[]) => {
    const signed = sendgrid.signedEvents(names.map((n) => sendgrid.eventFor(id, n)));
    return deliver({ url: `${url}/webhooks/comms/sendgrid`, headers: signed.headers, body: signed.body.toString() });
  };
  sendgrid.onReplied((req, reply) => {
    const id = reply.headers?.['x-message-id'];
    if (req.path !== '/v3/mail/send' || reply.status !== 202 || !id) return;
    later(delay, () => events(id, ['processed', 'delivered']));
    later(delay * 3, () => events(id, ['open']));
  });
  twilio.onReplied((req, reply) => {
    const sid = (reply.body as { sid?: string } | undefined)?.sid;
    if (!/\/Messages\.json$/.test(req.path) || reply.status !== 201 || !sid) return;
    later(delay, () => deliver(twilio.messageStatusCallback(sid, 'sent')));
    later(delay * 2, () => deliver(twilio.messageStatusCallback(sid, 'delivered')));
  });
  const api = (path: string, method: string, body: unknown) =>
    fetch(`${url}/api/platform${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  praxis.onReplied((req) => {
    if (req.path !== '/cashier/cashier') return;
    const orderId = (JSON.parse(req.rawBody.toString()) as { order_id?: string }).order_id;
    const target = orderId && praxis.sessions.get(orderId)?.request.notification_url;
    if (!orderId || typeof target !== 'string') return;
    later(delay, () => {
      praxis.settle(orderId, 'approved');
      const n = praxis.notification(orderId);
      return deliver({ url: target, headers: n.headers, body: n.body.toString() });
    });
  });
  sumsub.onReplied((req, reply) => {
    const id = (reply.body as { id?: string } | undefined)?.id;
    if (req.path !== '/resources/applicants' || reply.status !== 200 || !id) return;
    later(delay, () => {
      sumsub.completeReview(id, 'GREEN');
      const hook = sumsub.webhookFor(id);
      return deliver({ url: `${url}/webhooks/kyc/sumsub`, headers: hook.headers, body: hook.body.toString() });
    });
  });
  const activate = async (provider: string, body: unknown) => {
    const res = await api(`/integrations/providers/${provider}/activate`, 'POST', body);
    if (res.status !== 200) throw new Error(`activating ${provider}: ${res.status} ${await res.text()}`);
  };
  const route = async (category: string, provider: string) => {
    const res = await api(`/integrations/categories/${category}/default`, 'PUT', { provider });
    if (res.status !== 200) throw new Error(`default ${category}: ${res.status} ${await res.text()}`);
  };
  await activate('sendgrid', {
    credentials: { api_key: SENDGRID_KEY, webhook_verification_key: sendgrid.publicKeyBase64 },
    settings: { base_url: sendgrid.baseUrl },
  });
  await activate('twilio_sms', {
    credentials: { account_sid: TWILIO.sid, auth_token: TWILIO.token, from_number: TWILIO.from },
    settings: { base_url: twilio.baseUrl },
  });
  await activate('praxis', {
    credentials: {
      merchant_id: PRAXIS.merchantId,
      application_key: PRAXIS.applicationKey,
      merchant_secret: PRAXIS.merchantSecret,
    },
    settings: { base_url: praxis.baseUrl },
  });
  await activate('sumsub', {
    credentials: { app_token: SUMSUB.appToken, secret_key: SUMSUB.secretKey, webhook_secret: SUMSUB.webhookSecret },
    settings: { base_url: sumsub.baseUrl },
  });
  const pair = await api('/payments/routing/default', 'PUT', {
    deposit_gateway: 'praxis',
    withdrawal_gateway: 'praxis',
  });
  if (pair.status !== 200) throw new Error(`default payment route: ${pair.status} ${await pair.text()}`);
  await route('email', 'sendgrid');
  await route('sms', 'twilio_sms');
  return {
    url,
    apiKey: TEST_API_KEY,
    sendgrid,
    twilio,
    praxis,
    sumsub,
    callbacks,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await gateway.stop();
      for (const s of services) await s.stop();
      await infra.cleanup();
      await sendgrid.stop();
      await twilio.stop();
      await praxis.stop();
      await sumsub.stop();
    },
  };
}
