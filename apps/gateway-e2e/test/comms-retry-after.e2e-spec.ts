import { GmailFake } from '@app/connectors/providers/gmail/gmail.fake';
import { SendgridFake } from '@app/connectors/providers/sendgrid/sendgrid.fake';
import type { MessageView, SendReply } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../src/platform';

const SG_KEY = 'SG.retry-after-key-abcdefghijklmn-7';
const GMAIL = {
  clientId: 'client-7.apps.googleusercontent.com',
  clientSecret: 'gmail-secret-ra-7',
  refreshToken: '1//refresh-ra-7',
  senderEmail: 'crm@broker.example',
};

/**
 * A provider's 429 with Retry-After is obeyed: SendGrid is not called again before it passes, every
 * send fails over to Gmail at once meanwhile. Proven by SendGrid's received-request count.
 */
describe("comms honours a provider's Retry-After", () => {
  let p: Platform;
  let sendgrid: SendgridFake;
  let gmail: GmailFake;
  const send = async (to: string) => {
    const res = await p.api('/api/platform/integrations/email/send', {
      method: 'POST',
      json: { to, subject: 'Hi', body_html: '<p>Hi</p>', from_email: 'support@broker.example' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as SendReply;
  };

  beforeAll(async () => {
    sendgrid = await new SendgridFake({ apiKey: SG_KEY }).start();
    gmail = await new GmailFake(GMAIL).start();
    p = await startPlatform({ services: ['catalog', 'comms'], env: { CONNECTOR_HEALTH_PUBLISH_MS: '200' } });
    const activate = async (key: string, body: unknown) => {
      expect(
        (await p.api(`/api/platform/integrations/providers/${key}/activate`, { method: 'POST', json: body })).status,
      ).toBe(200);
    };
    await activate('sendgrid', {
      credentials: { api_key: SG_KEY, webhook_verification_key: sendgrid.publicKeyBase64 },
      settings: { base_url: sendgrid.baseUrl },
      make_default: true,
    });
    await activate('gmail', {
      credentials: {
        client_id: GMAIL.clientId,
        client_secret: GMAIL.clientSecret,
        refresh_token: GMAIL.refreshToken,
        sender_email: GMAIL.senderEmail,
      },
      settings: { base_url: gmail.baseUrl, token_url: `${gmail.baseUrl}/token` },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await sendgrid?.stop();
    await gmail?.stop();
  });

  it('sends through SendGrid while it answers', async () => {
    expect(await send('a@example.com')).toMatchObject({ provider: 'sendgrid' });
  });

  it('after a 429 with Retry-After: 600, fails over to Gmail without calling SendGrid again', async () => {
    sendgrid.rateLimitNext(1, 600);
    const first = await send('b@example.com');
    expect(first).toMatchObject({ status: 'sent', provider: 'gmail', failover_from: 'sendgrid' });
    const received = sendgrid.requests.length;
    for (const to of ['c@example.com', 'd@example.com', 'e@example.com']) {
      expect(await send(to)).toMatchObject({ status: 'sent', provider: 'gmail', failover_from: 'sendgrid' });
    }
    expect(sendgrid.requests.length).toBe(received);

    const m = (await (await p.api(`/api/platform/integrations/messages/${first.message_id}`)).json()) as MessageView;
    expect(m.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['sendgrid', 'failed'],
      ['gmail', 'sent'],
    ]);

    // one provider-side failure (the 429) among two calls; below the breaker's threshold, so still closed
    const health = await eventually('sendgrid health to reach the catalog', async () => {
      const res = await p.api('/api/platform/integrations/providers/sendgrid');
      const h = ((await res.json()) as { health: { state: string; error_rate: number; p95_ms: number | null } }).health;
      return h.error_rate > 0 ? h : undefined;
    });
    expect(health).toMatchObject({ state: 'closed', error_rate: 0.5 });
  });
});
