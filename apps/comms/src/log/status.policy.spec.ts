import { advances, partsStatus } from './status.policy';

describe('status policy', () => {
  it('moves a message forward and never back', () => {
    expect(advances('email', 'sent', 'delivered')).toBe(true);
    expect(advances('email', 'delivered', 'opened')).toBe(true);
    expect(advances('email', 'opened', 'delivered')).toBe(false);
    expect(advances('email', 'delivered', 'queued')).toBe(false);
    expect(advances('email', 'delivered', 'spam')).toBe(true);
  });

  it('keeps the first final outcome of a call', () => {
    expect(advances('call', 'initiated', 'ringing')).toBe(true);
    expect(advances('call', 'answered', 'completed')).toBe(true);
    expect(advances('call', 'completed', 'busy')).toBe(false);
    expect(advances('call', 'completed', 'answered')).toBe(false);
  });

  it('ignores statuses of the other vocabulary', () => {
    expect(advances('call', 'initiated', 'delivered')).toBe(false);
    expect(advances('sms', 'sent', 'answered')).toBe(false);
  });
});

describe('status policy: terminal call outcomes', () => {
  const terminal = ['completed', 'busy', 'no_answer', 'failed', 'canceled'];
  it('never replaces a final outcome, nor moves a call back from one', () => {
    for (const from of terminal) {
      for (const to of [...terminal, 'initiated', 'ringing', 'answered'])
        expect([from, to, advances('call', from, to)]).toEqual([from, to, false]);
    }
  });
});

describe('status policy: a message sent in parts', () => {
  it('is delivered only when every part is', () => {
    expect(partsStatus('sms', ['delivered', 'delivered'])).toBe('delivered');
    expect(partsStatus('sms', ['delivered', 'sent'])).toBe('sent');
    expect(partsStatus('sms', ['sent', 'delivered', 'queued'])).toBe('queued');
  });

  it('fails as soon as one part fails, whatever the others', () => {
    expect(partsStatus('sms', ['delivered', 'failed'])).toBe('failed');
    expect(partsStatus('sms', ['undelivered', 'delivered'])).toBe('undelivered');
    expect(partsStatus('sms', ['sent', 'undelivered', 'failed'])).toBe('undelivered');
  });

  it('of one part is that part', () => {
    expect(partsStatus('sms', ['delivered'])).toBe('delivered');
    expect(partsStatus('sms', [])).toBe('queued');
  });
});
