import { MailgunFake } from '@app/connectors/providers/mailgun/mailgun.fake';
import type { MessageView, SendReply } from '@app/contracts';
import { eventually, queryRows } from '@app/testing';

import { startPlatform, type Platform } from '../../src/platform';

const MG = { apiKey: 'mg-e2e-private-key-1', domain: 'mg.broker.example', signingKey: 'mg-e2e-signing-key-1' };

describe('mailgun through the gateway (real NATS and Postgres, MailgunFake)', () => {
  let p: Platform;
  let mailgun: MailgunFake;
  const hookUrl = () => `${p.gateway.url}/webhooks/comms/mailgun`;
  const message = async (id: string) =>
    (await (await p.api(`/api/platform/integrations/messages/${id}`)).json()) as MessageView;

  beforeAll(async () => {
    mailgun = await new MailgunFake(MG).start();
    p = await startPlatform({ services: ['catalog', 'comms'] });
    const res = await p.api('/api/platform/integrations/providers/mailgun/activate', {
      method: 'POST',
      json: {
        credentials: { api_key: MG.apiKey, domain: MG.domain, webhook_signing_key: MG.signingKey },
        settings: { base_url: mailgun.baseUrl },
      },
    });
    expect(res.status).toBe(200);
    const def = await p.api('/api/platform/integrations/categories/email/default', {
      method: 'PUT',
      json: { provider: 'mailgun' },
    });
    expect(def.status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await mailgun?.stop();
  });

  it('sends through Mailgun as the default, and its signed webhooks move the message to delivered then opened', async () => {
    const send = async () =>
      p.api('/api/platform/integrations/email/send', {
        method: 'POST',
        json: { to: 'Lead@Example.com', subject: 'Hi', body_text: 'Hello', from_email: 'crm@broker.example' },
      });
    let res = await send();
    // the default change reaches comms through the catalog's change event
    for (
      let i = 0;
      i < 20 && res.status === 200 && ((await res.clone().json()) as SendReply).provider !== 'mailgun';
      i++
    ) {
      await new Promise((r) => setTimeout(r, 250));
      res = await send();
    }
    expect(res.status).toBe(200);
    const reply = (await res.json()) as SendReply;
    expect(reply).toMatchObject({ status: 'sent', provider: 'mailgun' });
    const mail = mailgun.sent.at(-1)!;
    expect(mail.form.get('v:message_id')).toBe(reply.message_id);
    expect((await message(reply.message_id)).provider_message_id).toBe(mail.id);

    expect(await mailgun.postEvents(hookUrl(), reply.message_id, ['delivered', 'opened'])).toEqual([200, 200]);
    await eventually('opened', async () => ((await message(reply.message_id)).status === 'opened' ? true : undefined));
    expect((await message(reply.message_id)).events.map((e) => e.status)).toEqual(
      expect.arrayContaining(['sent', 'delivered', 'opened']),
    );
  });

  it('de-duplicates a retry of the same webhook, refuses its token with another body, and suppresses a bounce', async () => {
    const res = await p.api('/api/platform/integrations/email/send', {
      method: 'POST',
      json: { to: 'bounce@example.com', subject: 'Hi', body_text: 'Hello', from_email: 'crm@broker.example' },
    });
    const reply = (await res.json()) as SendReply;
    const failed = mailgun.signedEvent(reply.message_id, 'failed', { severity: 'permanent', reason: 'bounce' });
    const post = (body: Buffer) =>
      fetch(hookUrl(), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await post(failed.body)).status).toBe(200);
    const retry = await post(failed.body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ duplicates: 1, applied: 0 });
    // a captured signature with another event under it
    const forged = JSON.parse(failed.body.toString()) as { 'event-data': Record<string, unknown> };
    forged['event-data'] = { ...forged['event-data'], id: 'forged-1', event: 'delivered' };
    const refused = await post(Buffer.from(JSON.stringify(forged)));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('problem+json');
    const m = await message(reply.message_id);
    expect(m.status).toBe('bounced');
    expect(m.events.filter((e) => e.provider_status === 'delivered')).toEqual([]);
    const rows = await queryRows<{ address: string }>(
      p.infra.databaseUrl,
      `SELECT address FROM comms.suppressions WHERE address = 'bounce@example.com'`,
    );
    expect(rows).toHaveLength(1);
    const again = await p.api('/api/platform/integrations/email/send', {
      method: 'POST',
      json: { to: 'Bounce@Example.com', subject: 'Hi', body_text: 'Hello', from_email: 'crm@broker.example' },
    });
    expect(again.status).toBe(409);
  });
});
