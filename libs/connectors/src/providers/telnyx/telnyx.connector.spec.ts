import { createPrivateKey } from 'node:crypto';

import { connectorFailure as failure } from '@app/testing';

import { ConnectorError } from '../../connector-error';
import type { DeliveryEvent, InboundCallback } from '../../ports/delivery.port';
import type { ConnectorConfig } from '../../types';
import { connector } from './telnyx.connector';
import { TelnyxFake, type TelnyxWebhook } from './telnyx.fake';
import {
  decodeClientState,
  TELNYX_HANGUP_CAUSES,
  telnyxPublicKey,
  telnyxStatus,
  telnyxWebhookParser,
  verifyTelnyxSignature,
} from './telnyx.webhooks';

// docs/providers/telnyx.md#test-vectors: the key pair of RFC 8032 section 7.1, test 1.
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PRIVATE = createPrivateKey({
  key: Buffer.from(`302e020100300506032b657004220420${SEED}`, 'hex'),
  format: 'der',
  type: 'pkcs8',
});
const PUBLIC_B64 = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
const TS = '1700000000';
const CLIENT_STATE =
  'eyJtIjoiOWYxYzRjMWUtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwibGVnIjoiYWdlbnQiLCJ0byI6Iis0NDIwMzc2OTE4ODEifQ==';
const BODY = `{"data":{"record_type":"event","event_type":"call.answered","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":"2023-11-14T22:13:20.000000Z","payload":{"call_control_id":"v3:agent-leg-1","connection_id":"1293384261075731499","call_leg_id":"428c31b6-7af4-4bcb-b7f5-5013ef9657c1","call_session_id":"428c31b6-7af4-4bcb-b7f5-5013ef9657c1","client_state":"${CLIENT_STATE}","from":"+15005550006","to":"+15551230000","state":"answered"}}}`;
const SIGNATURE = 'RohH8JJlL7xcS0GLvuH0QJf7g//nqBmqbv1955MDsXln2eu1wbgEeJKjd8JGyMfKpq7+jFYd3zLETMSG0CDIAQ==';
const AT = () => Number(TS) * 1000;

const code = (f: () => unknown) => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return (e as ConnectorError).code;
  }
};

describe('telnyx signed webhooks (fixed test vectors)', () => {
  const headers = (over: Record<string, string> = {}) => ({
    'telnyx-timestamp': TS,
    'telnyx-signature-ed25519': SIGNATURE,
    ...over,
  });
  const check = (h: Record<string, string>, body = BODY, key: string | undefined = PUBLIC_B64, now = AT) =>
    code(() => verifyTelnyxSignature(key, h, Buffer.from(body), now));

  it("is RFC 8032's public key, and the fake signs the vector exactly so", () => {
    const fake = new TelnyxFake({ apiKey: 'k', connectionId: 'c', privateKey: PRIVATE });
    expect(fake.publicKeyBase64).toBe(PUBLIC_B64);
    expect(Buffer.from(PUBLIC_B64, 'base64').toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    expect(fake.signature(TS, BODY)).toBe(SIGNATURE);
    expect(decodeClientState(CLIENT_STATE)).toEqual({
      m: '9f1c4c1e-0000-4000-8000-000000000001',
      leg: 'agent',
      to: '+442037691881',
    });
  });

  it('accepts the vector (raw or SPKI public key) and refuses tampered, re-cased, forged, unsigned or stale ones', () => {
    expect(check(headers())).toBe('accepted');
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(PUBLIC_B64, 'base64')]);
    expect(check(headers(), BODY, spki.toString('base64'))).toBe('accepted');
    expect(check(headers(), BODY.replace('call.answered', 'call.hangup'))).toBe('bad_signature');
    expect(check(headers({ 'telnyx-timestamp': '1700000001' }))).toBe('bad_signature');
    const recased = SIGNATURE.replace(/[a-z]/, (c) => c.toUpperCase());
    expect(check(headers({ 'telnyx-signature-ed25519': recased }))).toBe('bad_signature');
    const other = new TelnyxFake({ apiKey: 'k', connectionId: 'c' });
    expect(check(headers({ 'telnyx-signature-ed25519': other.signature(TS, BODY) }))).toBe('bad_signature');
    expect(check(headers(), BODY, other.publicKeyBase64)).toBe('bad_signature');
    expect(check({ 'telnyx-timestamp': TS })).toBe('bad_signature');
    expect(check({ 'telnyx-signature-ed25519': SIGNATURE })).toBe('bad_signature');
    expect(check(headers({ 'telnyx-signature-ed25519': SIGNATURE.replace(/==$/, '') }))).toBe('bad_signature');
    expect(check(headers(), BODY, '')).toBe('bad_signature');
    expect(check(headers(), BODY, 'not-a-key')).toBe('bad_signature');
    // 300 s either way
    expect(check(headers(), BODY, PUBLIC_B64, () => AT() + 300_000)).toBe('accepted');
    expect(check(headers(), BODY, PUBLIC_B64, () => AT() + 301_000)).toBe('bad_signature');
    expect(check(headers(), BODY, PUBLIC_B64, () => AT() - 301_000)).toBe('bad_signature');
    expect(() => verifyTelnyxSignature(PUBLIC_B64, headers(), Buffer.from(BODY))).toThrow('window');
    expect(() => telnyxPublicKey('AAAA')).toThrow('not a base64 Ed25519 public key');
  });

  it('reads the vector as the agent answering, asking confirmCallback to bridge the lead', () => {
    const url = 'https://integrations.broker.example/webhooks/comms/telnyx?x=1';
    const config = { credentials: { public_key: PUBLIC_B64 }, settings: {} };
    const [e] = telnyxWebhookParser(AT)(config, {
      method: 'POST',
      url,
      headers: headers(),
      body: Buffer.from(BODY),
    }).events;
    expect(e).toEqual({
      providerEventId: '0ccc7b54-4df3-4bca-a65a-3da1ecc777f0',
      messageId: '9f1c4c1e-0000-4000-8000-000000000001',
      providerMessageId: 'v3:agent-leg-1',
      status: 'ringing',
      providerStatus: 'call.answered',
      at: new Date('2023-11-14T22:13:20.000Z'),
      details: { leg: 'agent' },
      confirm: {
        action: 'transfer',
        call_control_id: 'v3:agent-leg-1',
        message_id: '9f1c4c1e-0000-4000-8000-000000000001',
        to: '+442037691881',
        webhook_url: 'https://integrations.broker.example/webhooks/comms/telnyx',
      },
    });
  });

  it('maps every documented hangup_cause with own keys only, per leg', () => {
    expect(TELNYX_HANGUP_CAUSES.map((c) => [c, telnyxStatus('call.hangup', 'lead', c)])).toEqual([
      ['normal_clearing', 'completed'],
      ['time_limit', 'completed'],
      ['user_busy', 'busy'],
      ['timeout', 'no_answer'],
      ['no_answer', 'no_answer'],
      ['call_rejected', 'failed'],
      ['not_found', 'failed'],
      ['unspecified', 'failed'],
      ['originator_cancel', 'canceled'],
    ]);
    expect(TELNYX_HANGUP_CAUSES.map((c) => telnyxStatus('call.hangup', 'agent', c))).toEqual([
      null,
      null,
      'busy',
      'no_answer',
      'no_answer',
      'failed',
      'failed',
      'failed',
      'canceled',
    ]);
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(telnyxStatus('call.hangup', 'agent', name)).toBeNull();
      expect(telnyxStatus('call.hangup', 'lead', name)).toBe('failed');
    }
    expect(telnyxStatus('call.machine.detection.ended', 'lead')).toBeNull();
    expect(telnyxStatus('call.initiated', 'agent')).toBe('initiated');
    expect(telnyxStatus('call.initiated', 'lead')).toBe('ringing');
    expect(telnyxStatus('call.answered', 'lead')).toBe('answered');
    expect(telnyxStatus('call.bridged', 'agent')).toBe('answered');
  });
});

describe('telnyx connector against TelnyxFake', () => {
  const KEY = 'KEY0123456789ABCDEF_telnyx-secret';
  const CONNECTION = '1293384261075731499';
  const FROM = '+15005550006';
  const MSG = '9f1c4c1e-0000-4000-8000-0000000000aa';
  const PUBLIC = 'https://integrations.broker.example';
  const fake = new TelnyxFake({ apiKey: KEY, connectionId: CONNECTION });
  const config = (c: Record<string, string> = {}): ConnectorConfig => ({
    credentials: {
      api_key: KEY,
      public_key: fake.publicKeyBase64,
      connection_id: CONNECTION,
      from_number: FROM,
      ...c,
    },
    settings: { base_url: fake.baseUrl },
  });
  const opts = { statusCallbackUrl: `${PUBLIC}/webhooks/comms/telnyx?message_id=${MSG}` };
  const voice = connector.voice!;
  const inbound = (hook: TelnyxWebhook): InboundCallback => ({
    method: 'POST',
    url: `${PUBLIC}/webhooks/comms/telnyx`,
    headers: hook.headers,
    body: Buffer.from(hook.body),
  });
  const parse = (hook: TelnyxWebhook, c = config()) => voice.parseCallback(c, inbound(hook)).events[0];
  const confirm = (e: DeliveryEvent) => voice.confirmCallback!(config(), e, { timeoutMs: 2000 });
  const place = () => voice.call(config(), { messageId: MSG, to: '+442037691881', agent: '+15551230000' }, opts);
  const actions = (): [string | undefined, unknown][] =>
    fake.requests
      .filter((r) => r.path.includes('/actions/'))
      .map((r) => [r.path.split('/').at(-1), JSON.parse(r.rawBody.toString()) as unknown]);

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('declares its manifest', () => {
    expect(connector.manifest).toMatchObject({
      key: 'telnyx',
      category: 'voip',
      hosts: ['api.telnyx.com'],
      settings: [],
    });
    expect(connector.manifest.credential_fields.map((f) => [f.name, f.secret, f.required, !!f.label])).toEqual([
      ['api_key', true, true, true],
      ['public_key', false, true, true],
      ['connection_id', false, true, true],
      ['from_number', false, true, true],
    ]);
  });

  it('test() reads the Call Control Application with a Bearer key; wrong key is auth, never echoed', async () => {
    await expect(connector.test(config())).resolves.toBeUndefined();
    expect(fake.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', `/v2/call_control_applications/${CONNECTION}`, `Bearer ${KEY}`],
    ]);
    const e = await failure(connector.test(config({ api_key: 'wrong-telnyx-key' })));
    expect([e.code, e.options.httpStatus, e.message]).toEqual([
      'auth',
      401,
      'Authentication failed: The required authentication headers were either invalid or not included in the request. (Telnyx error 10009)',
    ]);
    expect(e.message).not.toContain('wrong-telnyx-key');
    expect(fake.requests[1].rejected).toBe(true);
    const other = await failure(connector.test(config({ connection_id: '42' })));
    expect([other.code, other.options.httpStatus]).toEqual(['refused', 404]);
    fake.reset();
    expect((await failure(connector.test(config({ public_key: 'bm9wZQ==' })))).code).toBe('invalid_config');
    expect((await failure(connector.test(config({ from_number: '' })))).code).toBe('invalid_config');
    expect(fake.requests).toHaveLength(0);
  });

  it('dials the agent with our client_state, webhook_url without our query and a command_id', async () => {
    const r = await place();
    const [leg] = fake.legs;
    expect(r).toEqual({ providerMessageId: leg.call_control_id, status: 'initiated', providerStatus: 'dialed' });
    const req = fake.requests[0];
    expect([req.method, req.path, req.headers.authorization, req.headers['content-type']]).toEqual([
      'POST',
      '/v2/calls',
      `Bearer ${KEY}`,
      'application/json',
    ]);
    const body = JSON.parse(req.rawBody.toString()) as Record<string, string>;
    expect(body).toEqual({
      connection_id: CONNECTION,
      to: '+15551230000',
      from: FROM,
      client_state: expect.any(String),
      webhook_url: `${PUBLIC}/webhooks/comms/telnyx`,
      webhook_url_method: 'POST',
      command_id: `dial:${MSG}`,
    });
    expect(decodeClientState(body.client_state)).toEqual({ m: MSG, leg: 'agent', to: '+442037691881' });
  });

  it('refuses an agent Telnyx cannot dial before any request; maps 429 and 5xx as retryable', async () => {
    const e = await failure(voice.call(config(), { messageId: MSG, to: '+442037691881', agent: '100' }, opts));
    expect(e.code).toBe('refused');
    expect(fake.requests).toHaveLength(0);
    fake.rateLimitNext();
    expect((await failure(place())).code).toBe('rate_limited');
    fake.failNext({ status: 503, body: { errors: [{ code: '10007', title: 'Unexpected error' }] } });
    const down = await failure(place());
    expect([down.code, down.retryable, down.message]).toEqual([
      'provider_error',
      true,
      'Unexpected error (Telnyx error 10007)',
    ]);
  });

  it('bridges the lead when the agent answers (once), and the lead leg ends the call completed', async () => {
    const { providerMessageId: agentLeg } = await place();
    expect(parse(fake.webhook(agentLeg!, 'call.initiated'))).toMatchObject({ status: 'initiated', messageId: MSG });
    const answered = parse(fake.webhook(agentLeg!, 'call.answered'));
    expect(answered).toMatchObject({ status: 'ringing', providerMessageId: agentLeg, confirm: { action: 'transfer' } });
    const confirmed = await confirm(answered);
    expect(confirmed).not.toHaveProperty('confirm');
    expect(confirmed).toMatchObject({ status: 'ringing', details: { leg: 'agent', transfer: 'requested' } });
    expect(actions()).toEqual([
      [
        'transfer',
        {
          to: '+442037691881',
          from: FROM,
          command_id: `transfer:${MSG}`,
          target_leg_client_state: expect.any(String),
          webhook_url: `${PUBLIC}/webhooks/comms/telnyx`,
          webhook_url_method: 'POST',
        },
      ],
    ]);
    // a concurrent copy of the same call.answered: the same command_id, no second lead leg
    await confirm(answered);
    expect(fake.legs).toHaveLength(2);
    const lead = fake.transferredFrom(agentLeg!)!;
    expect(lead).toMatchObject({ to: '+442037691881', from: FROM });
    expect(decodeClientState(lead.client_state)).toEqual({ m: MSG, leg: 'lead', a: agentLeg });
    const statuses = ['call.initiated', 'call.answered', 'call.bridged', 'call.hangup'].map((t) =>
      parse(fake.webhook(lead.call_control_id, t)),
    );
    expect(statuses.map((e) => [e.status, e.messageId, e.providerMessageId, e.confirm])).toEqual([
      ['ringing', MSG, agentLeg, undefined],
      ['answered', MSG, agentLeg, undefined],
      ['answered', MSG, agentLeg, undefined],
      ['completed', MSG, agentLeg, undefined],
    ]);
    expect(statuses[3]).toMatchObject({
      providerStatus: 'call.hangup:normal_clearing',
      details: { leg: 'lead', hangup_cause: 'normal_clearing', hangup_source: 'callee', sip_hangup_cause: '200' },
    });
    // the agent's own normal hangup decides nothing
    expect(parse(fake.webhook(agentLeg!, 'call.hangup')).status).toBeNull();
  });

  it('a busy lead ends the call busy and hangs up the agent leg it left up', async () => {
    const { providerMessageId: agentLeg } = await place();
    await confirm(parse(fake.webhook(agentLeg!, 'call.answered')));
    const lead = fake.transferredFrom(agentLeg!)!;
    const busy = parse(
      fake.webhook(lead.call_control_id, 'call.hangup', {
        payload: { hangup_cause: 'user_busy', sip_hangup_cause: '486' },
      }),
    );
    expect(busy).toMatchObject({ status: 'busy', confirm: { action: 'hangup_agent', call_control_id: agentLeg } });
    expect(await confirm(busy)).toMatchObject({ status: 'busy', details: { agent_hangup: 'done' } });
    expect(actions().at(-1)).toEqual(['hangup', { command_id: `hangup:${MSG}` }]);
    expect(fake.leg(agentLeg!)!.ended).toBe(true);
    // the agent leg already gone (hung up by the agent): Telnyx's 90018 is what we wanted
    const again = parse(fake.webhook(lead.call_control_id, 'call.hangup', { payload: { hangup_cause: 'timeout' } }));
    fake.leg(agentLeg!)!.commands.length = 0;
    expect(await confirm(again)).toMatchObject({ status: 'no_answer', details: { agent_hangup: 'already ended' } });
  });

  it('a transfer Telnyx refuses fails the call and ends the agent leg', async () => {
    const { providerMessageId: agentLeg } = await place();
    const answered = parse(fake.webhook(agentLeg!, 'call.answered'));
    fake.failNext({
      status: 422,
      body: { errors: [{ code: '10016', title: 'Phone number must be in +E.164 format' }] },
    });
    expect(await confirm(answered)).toMatchObject({
      status: 'failed',
      providerStatus: 'call.answered (transfer failed)',
      details: {
        transfer_error: 'Phone number must be in +E.164 format (Telnyx error 10016)',
        agent_hangup: 'done',
      },
    });
    expect(fake.transferredFrom(agentLeg!)).toBeUndefined();
  });

  it('an agent who does not answer ends the call no_answer; unsigned, forged and stale webhooks are refused', async () => {
    const { providerMessageId: agentLeg } = await place();
    const noAnswer = parse(fake.webhook(agentLeg!, 'call.hangup', { payload: { hangup_cause: 'timeout' } }));
    expect(noAnswer.status).toBe('no_answer');
    expect(noAnswer).not.toHaveProperty('confirm');
    const hook = fake.webhook(agentLeg!, 'call.answered');
    const other = new TelnyxFake({ apiKey: KEY, connectionId: CONNECTION });
    expect(code(() => parse({ ...hook, headers: { 'content-type': 'application/json' } }))).toBe('bad_signature');
    expect(code(() => parse(hook, config({ public_key: other.publicKeyBase64 })))).toBe('bad_signature');
    expect(code(() => parse({ ...hook, body: hook.body.replace('call.answered', 'call.bridged') }))).toBe(
      'bad_signature',
    );
    const stale = fake.webhook(agentLeg!, 'call.answered', { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(code(() => parse(stale))).toBe('bad_signature');
    expect(code(() => parse(hook, config({ public_key: '' })))).toBe('bad_signature');
    expect(code(() => parse(hook))).toBe('accepted');
  });
});
