import { randomUUID } from 'node:crypto';

import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { DISPOSITION } from './voiso.events';
import { VoisoFake } from './voiso.fake';

const KEY = 'voiso-conformance-key-0123456789';
const SECRET = 'voiso-conformance-webhook-Secret-abcdef';
const AGENT = '1002';

/** Voiso's call dispositions, as a `*.call.hangup` carries them (docs/providers/voiso.md). */
const DOCUMENTED = [
  'answered',
  'busy',
  'no_answer',
  'missed',
  'answered_by_VM',
  'machine_answered',
  'failed',
  'rejected',
  'system_reject',
  'abandoned',
  'dialer_abandoned',
  'system_abandoned',
];

type Body = Record<string, unknown> & { secret: string; data: Record<string, unknown> };
const read = (cb: ProviderCallback) => JSON.parse(cb.body.toString('utf8')) as Body;
const write = (cb: ProviderCallback, body: unknown): ProviderCallback => ({
  ...cb,
  body: Buffer.from(JSON.stringify(body)),
});

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new VoisoFake(KEY, SECRET).start();
    const config = {
      credentials: { cluster: 'cc-ams03', api_key: KEY, webhook_secret: SECRET },
      settings: { base_url: fake.baseUrl },
    };
    return {
      fake,
      config,
      wrongCredentials: { api_key: 'voiso-wrong-key-9876543210' },
      call: (c, config) =>
        c.voice!.call(
          config,
          { messageId: 'conformance-1', to: '+442037691881', agent: AGENT },
          { statusCallbackUrl: 'https://platform.example/webhooks/comms/voiso?message_id=conformance-1' },
        ),
      webhooks: {
        // the hangup of a new call (a new call id), its outcome the disposition
        signed: ({ status = 'answered' }) => {
          const hook = fake.webhook('outbound.call.hangup', randomUUID(), { data: { disposition: status } });
          return { headers: hook.headers, body: Buffer.from(hook.body) };
        },
        verifying: ['webhook_secret'],
        unsigned: (cb) => {
          const { secret: _secret, ...rest } = read(cb);
          return write(cb, rest);
        },
        tampered: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, data: { ...b.data, disposition: 'busy' } });
        },
        recased: (cb) => {
          const b = read(cb);
          return write(cb, { ...b, secret: swapCase(b.secret) });
        },
        exempt: {
          tampered:
            'Voiso signs nothing: its webhook carries a static secret in the body, not a signature over the fields, so a changed field keeps the secret valid',
          stale:
            "Voiso signs no time: the body's timestamp is covered by nothing (the secret is static), so a window on it stops no replay; a replay keys the same <data.id>:<event>",
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: DISPOSITION,
    // a call hangs up once: each outcome is the last status of its call
    lifecycles: DOCUMENTED.map((d) => [d]),
  },
};

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}
