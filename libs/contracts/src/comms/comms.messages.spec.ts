import 'reflect-metadata';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { SendEmailRequest } from './comms.messages';

const base = {
  to: 'lead@example.com',
  subject: 'Welcome',
  body_html: '<p>hi</p>',
  from_email: 'crm@broker.example',
  from_name: 'Broker',
};

/** The fields named by class-validator for one body, as the gateway's 400 and the service's validation pipe list them. */
function invalid(over: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(SendEmailRequest, { ...base, ...over }))
    .map((e) => e.property)
    .sort();
}

describe('email send validation', () => {
  it('accepts a plain body', () => {
    expect(invalid({})).toEqual([]);
  });

  it('refuses a quoted local part carrying CR LF (header injection) in to and from_email', () => {
    expect(invalid({ to: '"x\r\nBcc: v@evil.example"@example.com' })).toEqual(['to']);
    expect(invalid({ from_email: '"x\r\n\r\nbody"@example.com' })).toEqual(['from_email']);
  });

  it.each(['\r', '\n', '\u0000', '\u0007', '\t', '\u001b', '\u007f'])(
    'refuses control character %j in subject and from_name',
    (c) => {
      expect(invalid({ subject: `a${c}b`, from_name: `n${c}m` })).toEqual(['from_name', 'subject']);
    },
  );

  it('accepts non-ASCII text in subject and from_name', () => {
    expect(invalid({ subject: 'Café ünïcode ✓', from_name: 'Équipe' })).toEqual([]);
  });
});
