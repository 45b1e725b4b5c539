import { normaliseAddress } from './address';

describe('normaliseAddress (the suppression key)', () => {
  it('trims and lower-cases a whole email address', () => {
    expect(normaliseAddress('email', '  John.Doe@Example.COM ')).toBe('john.doe@example.com');
    expect(normaliseAddress('email', 'lead@example.com')).toBe('lead@example.com');
  });

  it('writes a phone number as E.164 whatever the spelling the provider reports', () => {
    for (const n of ['+447700900123', '447700900123', '00447700900123', '+44 7700 900-123', ' +44 (7700) 900.123 '])
      expect([n, normaliseAddress('sms', n)]).toEqual([n, '+447700900123']);
    expect(normaliseAddress('call', '14155550100')).toBe('+14155550100');
  });

  it('leaves what is not a phone number as it is (trimmed), so it matches only itself', () => {
    expect(normaliseAddress('sms', ' Vonage ')).toBe('Vonage');
    expect(normaliseAddress('sms', '+0123')).toBe('+0123');
    expect(normaliseAddress('sms', '1234567890123456')).toBe('1234567890123456');
  });
});
