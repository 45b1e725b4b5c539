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
    fetch(`${sandbox.url}/api/platform/integrations${path}`, {
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
});
