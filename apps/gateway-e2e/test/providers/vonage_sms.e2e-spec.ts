import { VonageFake } from '@app/connectors/providers/vonage/vonage.fake';
import type { MessageView, SendReply } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../../src/platform';

const V = { apiKey: 'e2e0a1b2', apiSecret: 'vonage-e2e-secret-1', signatureSecret: 'vonage-e2e-sig-1' };

describe('vonage_sms through the gateway (real NATS and Postgres, VonageFake)', () => {
  let p: Platform;
  let vonage: VonageFake;
  const hookUrl = () => `${p.gateway.url}/webhooks/comms/vonage_sms`;
  const message = async (id: string) =>
    (await (await p.api(`/api/platform/integrations/messages/${id}`)).json()) as MessageView;
  const send = async (body: string) => {
    let res: Response | undefined;
    // the default change reaches comms through the catalog's change event
    for (let i = 0; i < 20; i++) {
      res = await p.api('/api/platform/integrations/sms/send', { method: 'POST', json: { to: '+447700900123', body } });
      if (res.status !== 200 || ((await res.clone().json()) as SendReply).provider === 'vonage_sms') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(res!.status).toBe(200);
    const reply = (await res!.json()) as SendReply;
    expect(reply).toMatchObject({ status: 'sent', provider: 'vonage_sms' });
    return reply;
  };

  beforeAll(async () => {
    vonage = await new VonageFake(V).start();
    p = await startPlatform({ services: ['catalog', 'comms'] });
    const res = await p.api('/api/platform/integrations/providers/vonage_sms/activate', {
      method: 'POST',
      json: {
        credentials: {
          api_key: V.apiKey,
          api_secret: V.apiSecret,
          signature_secret: V.signatureSecret,
          from: 'Broker',
        },
        settings: { base_url: vonage.baseUrl },
      },
    });
    expect(res.status).toBe(200);
    const def = await p.api('/api/platform/integrations/categories/sms/default', {
      method: 'PUT',
      json: { provider: 'vonage_sms' },
    });
    expect(def.status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await vonage?.stop();
  });

  it('sends a two-part SMS and is delivered once both parts are', async () => {
    const reply = await send('x'.repeat(200));
    const sms = vonage.sent.find((s) => s.form.get('client-ref') === reply.message_id)!;
    expect(sms.ids).toHaveLength(2);
    expect(sms.form.get('to')).toBe('447700900123');
    expect((await message(reply.message_id)).provider_message_id).toBe(sms.ids[0]);
    expect(await vonage.postDlrs(hookUrl(), reply.message_id)).toEqual([200, 200]);
    await eventually('delivered', async () =>
      (await message(reply.message_id)).status === 'delivered' ? true : undefined,
    );
  });

  it('ends failed, not delivered, when one of two parts fails', async () => {
    const reply = await send('y'.repeat(200));
    const post = (dlr: Record<string, string>) =>
      fetch(hookUrl(), { method: 'POST', body: JSON.stringify(dlr), headers: { 'content-type': 'application/json' } });
    // the first part delivered alone leaves the message sent
    expect((await post(vonage.dlr(reply.message_id, 0, 'delivered'))).status).toBe(200);
    expect((await message(reply.message_id)).status).toBe('sent');
    expect((await post(vonage.dlr(reply.message_id, 1, 'failed'))).status).toBe(200);
    await eventually('failed', async () => ((await message(reply.message_id)).status === 'failed' ? true : undefined));
    const sms = vonage.sent.find((s) => s.form.get('client-ref') === reply.message_id)!;
    // the answer shows each part with its own provider id and status
    expect((await message(reply.message_id)).parts).toEqual([
      { part: 0, provider_message_id: sms.ids[0], status: 'delivered', provider_status: 'delivered' },
      { part: 1, provider_message_id: sms.ids[1], status: 'failed', provider_status: 'failed' },
    ]);
  });

  it('refuses a receipt with a tampered status', async () => {
    const reply = await send('short');
    const dlr = { ...vonage.dlr(reply.message_id, 0, 'delivered'), status: 'failed' };
    const res = await fetch(hookUrl(), {
      method: 'POST',
      body: JSON.stringify(dlr),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect((await message(reply.message_id)).status).toBe('sent');
  });
});
