import { randomUUID } from 'node:crypto';

import type { MessageView, SendReply } from '@app/contracts';
import { eventually, freePort } from '@app/testing';

import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';

describe('npm run sandbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: await freePort(), callbackDelayMs: 200 });
  }, 60_000);

  afterAll(async () => {
    await sandbox?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.url}${path.startsWith('/') ? `/api/platform/integrations${path}` : `/${path}`}`, {
      ...init,
      headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
    });
  const status = async (id: string) => ((await (await api(`/messages/${id}`)).json()) as MessageView).status;

  it('an email sent through the API reaches delivered, then opened, from the SendGrid fake’s own callbacks', async () => {
    const res = await api('/email/send', {
      method: 'POST',
      body: JSON.stringify({
        to: 'john.doe@example.com',
        subject: 'Welcome',
        body_html: '<p>Hello</p>',
        from_email: 'crm@broker.example',
      }),
    });
    expect(res.status).toBe(200);
    const { message_id } = (await res.json()) as SendReply;
    const seen = new Set<string>();
    await eventually('the email opened', async () => {
      seen.add(await status(message_id));
      return seen.has('opened') ? true : undefined;
    });
    expect(seen).toContain('opened');
    expect(sandbox.sendgrid.sent).toHaveLength(1);
  }, 60_000);

  it('an SMS reaches delivered from the Twilio fake’s status callbacks', async () => {
    const res = await api('/sms/send', { method: 'POST', body: JSON.stringify({ to: '+442037691881', body: 'Hi' }) });
    expect(res.status).toBe(200);
    const { message_id } = (await res.json()) as SendReply;
    await eventually('the SMS delivered', async () => ((await status(message_id)) === 'delivered' ? true : undefined));
  }, 60_000);

  it('a payment session gets its Praxis notification, accepted by the gateway', async () => {
    const res = await api('payments/gateway?country=DE&direction=deposit&amount=10&currency=EUR');
    expect(res.status).toBe(200);
    const { order_id } = (await res.json()) as { order_id: string };
    await eventually('the notification answered', () =>
      sandbox.callbacks.find((c) => c.path === '/webhooks/payments/praxis'),
    );
    expect(sandbox.callbacks.filter((c) => c.path === '/webhooks/payments/praxis')).toEqual([
      { path: '/webhooks/payments/praxis', status: 200 },
    ]);
    expect(sandbox.praxis.sessions.get(order_id)?.session_status).toBe('successful');
  }, 60_000);

  it('a SumSub applicant gets a decision: the customer is approved from the fake’s webhook', async () => {
    const customer = randomUUID();
    const res = await api('api/platform/kyc/applicants', {
      method: 'POST',
      body: JSON.stringify({ customer_id: customer, email: 'lead@example.com' }),
    });
    expect(res.status).toBe(200);
    await eventually('the customer approved', async () => {
      const r = (await (await api(`api/platform/kyc/customers/${customer}`)).json()) as { status: string };
      return r.status === 'approved' ? r : undefined;
    });
  }, 60_000);
});
