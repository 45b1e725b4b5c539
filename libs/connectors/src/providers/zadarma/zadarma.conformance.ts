import type { ConformanceDescriptor, ProviderCallback } from '@app/testing/conformance';

import { ZadarmaFake } from './zadarma.fake';
import { DISPOSITION } from './zadarma.notifications';

const KEY = 'zd-conformance-user-key';
const SECRET = 'zd-conformance-secret-0123456789';
const AGENT = '100';

/** Zadarma's call dispositions (the `disposition` of NOTIFY_END / NOTIFY_OUT_END, docs/providers/zadarma.md). */
const DOCUMENTED = [
  'answered',
  'busy',
  'cancel',
  'no answer',
  'failed',
  'no money',
  'unallocated number',
  'no limit',
  'no day limit',
  'line limit',
  'no money, no limit',
];

/** `YYYY-MM-DD HH:MM:SS`, the form of Zadarma's `call_start`. */
const callStart = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

const form = (cb: ProviderCallback) => new URLSearchParams(cb.body.toString('utf8'));
const withForm = (cb: ProviderCallback, f: URLSearchParams): ProviderCallback => ({
  ...cb,
  body: Buffer.from(f.toString()),
});

export const conformance: ConformanceDescriptor = {
  async start() {
    const fake = await new ZadarmaFake(KEY, SECRET).start();
    const config = {
      credentials: { api_key: KEY, api_secret: SECRET },
      settings: { base_url: fake.baseUrl, default_sip: AGENT },
    };
    let n = 0;
    return {
      fake,
      config,
      wrongCredentials: { api_secret: 'zd-wrong-secret-9876543210' },
      call: (c, config) =>
        c.voice!.call(
          config,
          { messageId: 'conformance-1', to: '+442037691881', agent: AGENT },
          { statusCallbackUrl: 'https://platform.example/webhooks/comms/zadarma?message_id=conformance-1' },
        ),
      webhooks: {
        // the end of an outgoing call; each a new call (another destination), its outcome the disposition
        signed: ({ status = 'answered', atMs }) => {
          n += 1;
          const n1 = fake.notification('NOTIFY_OUT_END', {
            call_start: callStart(atMs ?? Date.now()),
            pbx_call_id: `in_conformance_${n}`,
            internal: AGENT,
            destination: `4420376${String(n).padStart(5, '0')}`,
            caller_id: AGENT,
            duration: status === 'answered' ? '42' : '0',
            disposition: status,
            status_code: status === 'answered' ? '16' : '17',
            is_recorded: '0',
          });
          return { headers: n1.headers, body: Buffer.from(n1.body) };
        },
        verifying: ['api_secret'],
        unsigned: (cb) => {
          const { signature: _signature, ...headers } = cb.headers;
          return { ...cb, headers };
        },
        // call_start is one of the three fields Zadarma signs for NOTIFY_OUT_*
        tampered: (cb) => {
          const f = form(cb);
          f.set('call_start', callStart(Date.parse(`${f.get('call_start')!.replace(' ', 'T')}Z`) - 3600_000));
          return withForm(cb, f);
        },
        recased: (cb) => ({ ...cb, headers: { ...cb.headers, signature: swapCase(cb.headers.signature) } }),
        exempt: {
          stale:
            "Zadarma signs no delivery time: its only signed time, call_start, is the call's start in the account's own time zone (no offset is sent) and an end comes a call's length later, so a replay keys the same event instead",
        },
      },
      stop: () => fake.stop(),
    };
  },
  statuses: {
    documented: DOCUMENTED,
    table: DISPOSITION,
    // a call ends once: each outcome is the last status of its call
    lifecycles: DOCUMENTED.map((d) => [d]),
  },
};

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}
