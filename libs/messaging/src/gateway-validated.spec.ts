import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { GATEWAY_VALIDATED_SUBJECTS, isGatewayValidated, markGatewayValidated } from './gateway-validated';

const USERS_CONF = readFileSync(join(__dirname, '..', '..', '..', 'deploy', 'nats', 'users.conf'), 'utf8');

/** Each user of users.conf with the subjects its publish.allow lists (wildcards as written). */
function publishAllows(conf: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const blocks = conf.split(/\buser:\s*/).slice(1);
  for (const block of blocks) {
    const user = /^(\w+)/.exec(block)?.[1] ?? '';
    const allow = /publish:\s*\{\s*allow:\s*\[([^\]]*)\]/.exec(block)?.[1] ?? '';
    out.set(
      user,
      [...allow.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
    );
  }
  return out;
}

/** NATS subject matching: `*` one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

describe('GATEWAY_VALIDATED_SUBJECTS', () => {
  const allows = publishAllows(USERS_CONF);

  it('reads every user of users.conf (the parse works)', () => {
    expect([...allows.keys()].sort()).toEqual(
      ['affiliates', 'catalog', 'comms', 'crm', 'gateway', 'kyc', 'payments'].sort(),
    );
    expect(matches('*.ops.audit.list', 'kyc.ops.audit.list')).toBe(true);
    expect(matches('evt.kyc.>', 'evt.kyc.a.b')).toBe(true);
    expect(matches('evt.kyc.>', 'evt.kyc')).toBe(false);
  });

  it('lists only subjects the gateway alone may publish', () => {
    expect(GATEWAY_VALIDATED_SUBJECTS.size).toBeGreaterThan(0);
    for (const subject of GATEWAY_VALIDATED_SUBJECTS) {
      const publishers = [...allows]
        .filter(([, patterns]) => patterns.some((p) => matches(p, subject)))
        .map(([u]) => u);
      expect({ subject, publishers }).toEqual({ subject, publishers: ['gateway'] });
    }
  });
});

describe(markGatewayValidated.name, () => {
  it('marks the one parsed object, not an equal one, nor primitives', () => {
    const payload = { message: 'hello' };
    markGatewayValidated(payload);
    markGatewayValidated('text');
    expect(isGatewayValidated(payload)).toBe(true);
    expect(isGatewayValidated({ message: 'hello' })).toBe(false);
    expect(isGatewayValidated('text')).toBe(false);
    expect(isGatewayValidated(null)).toBe(false);
  });
});
