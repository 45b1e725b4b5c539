import { TelnyxFake, type TelnyxWebhook } from '@app/connectors/providers/telnyx/telnyx.fake';
import type { MessageView } from '@app/contracts';
import { eventually } from '@app/testing';

import { startPlatform, type Platform } from '../../src/platform';

const PUBLIC = 'https://integrations.broker.example';
const T = { apiKey: 'KEY-telnyx-e2e-0123456789', connectionId: '1293384261075731499', from: '+15005550006' };
const LEAD = '+442037691881';
const AGENT = '+15551230000';

describe('telnyx through the gateway (real NATS and Postgres, TelnyxFake)', () => {
  let p: Platform;
  let telnyx: TelnyxFake;
  const hookUrl = () => `${p.gateway.url}/webhooks/comms/telnyx`;
  const message = async (id: string) =>
    (await (await p.api(`/api/platform/integrations/messages/${id}`)).json()) as MessageView;
  const deliver = (hook: TelnyxWebhook) => telnyx.deliver(hook, hookUrl());
  const statusOf = async (id: string, want: string) =>
    eventually(want, async () => ((await message(id)).status === want ? true : undefined));

  /** A click-to-call through the voip default (the default change reaches comms through the catalog's event). */
  const place = async () => {
    let res: Response | undefined;
    let reply: { call_id: string; status: string; provider: string } | undefined;
    for (let i = 0; i < 20; i++) {
      res = await p.api('/api/platform/integrations/calls', { method: 'POST', json: { to: LEAD, agent: AGENT } });
      if (res.status !== 200) break;
      reply = (await res.json()) as typeof reply;
      if (reply!.provider === 'telnyx') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(res!.status).toBe(200);
    expect(reply).toMatchObject({ status: 'initiated', provider: 'telnyx' });
    const agentLeg = telnyx.legs.filter((l) => !l.parent).at(-1)!;
    return { callId: reply!.call_id, agentLeg };
  };

  beforeAll(async () => {
    telnyx = await new TelnyxFake({ apiKey: T.apiKey, connectionId: T.connectionId }).start();
    p = await startPlatform({ services: ['catalog', 'comms'], env: { PUBLIC_BASE_URL: PUBLIC } });
    const res = await p.api('/api/platform/integrations/providers/telnyx/activate', {
      method: 'POST',
      json: {
        credentials: {
          api_key: T.apiKey,
          public_key: telnyx.publicKeyBase64,
          connection_id: T.connectionId,
          from_number: T.from,
        },
        settings: { base_url: telnyx.baseUrl },
      },
    });
    expect(res.status).toBe(200);
    const def = await p.api('/api/platform/integrations/categories/voip/default', {
      method: 'PUT',
      json: { provider: 'telnyx' },
    });
    expect(def.status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
    await telnyx?.stop();
  });

  it('dials the agent, bridges the lead on the signed call.answered, and the lead hangup completes the call', async () => {
    const { callId, agentLeg } = await place();
    expect(agentLeg).toMatchObject({ to: AGENT, from: T.from, webhook_url: `${PUBLIC}/webhooks/comms/telnyx` });
    expect((await message(callId)).provider_message_id).toBe(agentLeg.call_control_id);

    expect((await deliver(telnyx.webhook(agentLeg.call_control_id, 'call.initiated'))).status).toBe(200);
    const answered = telnyx.webhook(agentLeg.call_control_id, 'call.answered');
    expect((await deliver(answered)).status).toBe(200);
    expect((await message(callId)).status).toBe('ringing');
    // comms transferred the agent leg to the lead, from our number, once
    const lead = telnyx.transferredFrom(agentLeg.call_control_id)!;
    expect(lead).toMatchObject({ to: LEAD, from: T.from, webhook_url: `${PUBLIC}/webhooks/comms/telnyx` });
    const retry = await deliver(answered);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ duplicates: 1, applied: 0 });
    expect(telnyx.legs.filter((l) => l.parent === agentLeg.call_control_id)).toHaveLength(1);

    for (const [type, want] of [
      ['call.initiated', 'ringing'],
      ['call.answered', 'answered'],
      ['call.bridged', 'answered'],
      ['call.hangup', 'completed'],
    ]) {
      expect((await deliver(telnyx.webhook(lead.call_control_id, type))).status).toBe(200);
      await statusOf(callId, want);
    }
    // the agent's own hangup after the bridge changes nothing
    expect((await deliver(telnyx.webhook(agentLeg.call_control_id, 'call.hangup'))).status).toBe(200);
    const m = await message(callId);
    expect(m).toMatchObject({ channel: 'call', status: 'completed', provider: 'telnyx' });
    expect(m.events.map((e) => e.status)).toEqual([
      'initiated',
      'initiated',
      'ringing',
      'ringing',
      'answered',
      'answered',
      'completed',
      null,
    ]);
  });

  it('a busy lead ends the call busy and hangs up the agent leg', async () => {
    const { callId, agentLeg } = await place();
    expect((await deliver(telnyx.webhook(agentLeg.call_control_id, 'call.answered'))).status).toBe(200);
    const lead = telnyx.transferredFrom(agentLeg.call_control_id)!;
    const busy = telnyx.webhook(lead.call_control_id, 'call.hangup', {
      payload: { hangup_cause: 'user_busy', sip_hangup_cause: '486' },
    });
    expect((await deliver(busy)).status).toBe(200);
    await statusOf(callId, 'busy');
    expect(telnyx.leg(agentLeg.call_control_id)!.ended).toBe(true);
  });

  it('refuses (401) forged, tampered and stale webhooks and applies none of them', async () => {
    const { callId, agentLeg } = await place();
    const other = new TelnyxFake({ apiKey: T.apiKey, connectionId: T.connectionId });
    const good = telnyx.webhook(agentLeg.call_control_id, 'call.answered');
    const forged = {
      ...good,
      headers: {
        ...good.headers,
        'telnyx-signature-ed25519': other.signature(good.headers['telnyx-timestamp'], good.body),
      },
    };
    const tampered = { ...good, body: good.body.replace('"call.answered"', '"call.hangup"') };
    const stale = telnyx.webhook(agentLeg.call_control_id, 'call.answered', {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    for (const hook of [forged, tampered, stale]) {
      const res = await deliver(hook);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('problem+json');
    }
    const m = await message(callId);
    expect(m.status).toBe('initiated');
    expect(telnyx.transferredFrom(agentLeg.call_control_id)).toBeUndefined();
  });
});
