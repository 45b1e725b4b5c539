import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import type { ConnectorConfig } from '../../types';
import { connector } from './telnyx.connector';
import { TelnyxFake } from './telnyx.fake';
import { encodeClientState, LEAD_HANGUP, TELNYX_WINDOW_SECONDS } from './telnyx.webhooks';

const KEY = 'KEY0123456789ABCDEF_telnyx-conformance';
const CONNECTION = '1293384261075731499';
const MSG = '9f1c4c1e-0000-4000-8000-0000000000cc';
const URL = 'https://platform.example/webhooks/comms/telnyx';
const opts = { statusCallbackUrl: `${URL}?message_id=${MSG}` };

/** The hangup_cause values Telnyx documents for call.hangup (docs/providers/telnyx.md): the lead leg's outcome. */
const DOCUMENTED = [
  'call_rejected',
  'normal_clearing',
  'originator_cancel',
  'timeout',
  'time_limit',
  'user_busy',
  'not_found',
  'no_answer',
  'unspecified',
];

type Body = { data: { payload: Record<string, unknown> } };
const swapCase = (s: string) =>
  s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new TelnyxFake({ apiKey: KEY, connectionId: CONNECTION }).start();
    const config: ConnectorConfig = {
      credentials: {
        api_key: KEY,
        public_key: fake.publicKeyBase64,
        connection_id: CONNECTION,
        from_number: '+15005550006',
      },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { api_key: 'KEY_wrong_telnyx_9876543210' },
      call: (c, cfg) => c.voice!.call(cfg, { messageId: MSG, to: '+442037691881', agent: '+15551230000' }, opts),
      webhooks: {
        // a call placed for each webhook (the fake keeps its legs), then the lead leg's hangup with the cause
        signed: async ({ status = 'normal_clearing', atMs }): Promise<ProviderCallback> => {
          const placed = await connector.voice!.call(
            config,
            { messageId: MSG, to: '+442037691881', agent: '+15551230000' },
            opts,
          );
          const agentLeg = placed.providerMessageId!;
          // a name that is no documented cause stands for an unknown event type: a lead hangup is final
          // whatever its cause (an unknown cause is `failed`, by design), so only the type can be unknown
          const known = DOCUMENTED.includes(status);
          const hook = fake.webhook(agentLeg, known ? 'call.hangup' : status, {
            payload: {
              client_state: encodeClientState({ m: MSG, leg: 'lead', a: agentLeg }),
              ...(known ? { hangup_cause: status } : {}),
            },
            ...(atMs === undefined ? {} : { timestamp: Math.floor(atMs / 1000) }),
          });
          return { url: URL, headers: hook.headers, body: Buffer.from(hook.body) };
        },
        verifying: ['public_key'],
        // Ed25519: the forger signs with a key pair of its own
        forgedCredentials: { public_key: new TelnyxFake({ apiKey: KEY, connectionId: CONNECTION }).publicKeyBase64 },
        unsigned: (cb) => {
          const { 'telnyx-signature-ed25519': _sig, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        tampered: (cb) => {
          const b = JSON.parse(cb.body.toString('utf8')) as Body;
          b.data.payload.hangup_cause = b.data.payload.hangup_cause === 'user_busy' ? 'normal_clearing' : 'user_busy';
          return { ...cb, body: Buffer.from(JSON.stringify(b)) };
        },
        recased: (cb) => ({
          ...cb,
          headers: { ...cb.headers, 'telnyx-signature-ed25519': swapCase(cb.headers['telnyx-signature-ed25519']) },
        }),
        staleAfterMs: TELNYX_WINDOW_SECONDS * 1000,
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: LEAD_HANGUP,
    lifecycles: DOCUMENTED.map((d) => [d]),
  },
};
