import type { ConformanceDescriptor } from '@app/testing/conformance';

import { GmailFake } from './gmail.fake';

const CREDS = {
  client_id: 'conformance-client.apps.googleusercontent.com',
  client_secret: 'GOCSPX-conformance-secret-0123',
  refresh_token: '1//conformance-refresh-token-abcdef',
  sender_email: 'crm@broker.example',
};

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new GmailFake({
      clientId: CREDS.client_id,
      clientSecret: CREDS.client_secret,
      refreshToken: CREDS.refresh_token,
      senderEmail: CREDS.sender_email,
    }).start();
    return {
      fake,
      // token_url left at its default, so base_url sends the refresh grant to the fake too
      config: { credentials: { ...CREDS }, settings: { base_url: fake.baseUrl } },
      wrongCredentials: { refresh_token: '1//conformance-wrong-refresh-token-9876' },
      call: (c, config) =>
        c.email!.send(
          config,
          {
            messageId: 'conformance-1',
            to: 'lead@example.com',
            subject: 'Hi',
            text: 'Hi',
            fromEmail: CREDS.sender_email,
          },
          { statusCallbackUrl: 'https://platform.example/webhooks/comms/gmail?message_id=conformance-1' },
        ),
      stop: () => fake.stop(),
    };
  },
  exempt: {
    webhooks:
      'Gmail posts no delivery notifications (docs/providers/gmail.md, callbacks accepted: none): there is no signed callback to verify',
    statuses:
      'Gmail posts no delivery notifications, so it reports no statuses (docs/providers/gmail.md): a sent message stays sent',
  },
};
