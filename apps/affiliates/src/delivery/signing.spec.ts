import { createHmac } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { signatureHeaders } from './signing';

describe(signatureHeaders.name, () => {
  const body = '{"event":"lead.ftd","batch_at":"2026-03-10T12:00:00Z","leads":[]}';
  const now = Math.floor(Date.now() / 1000);

  it('signs the body as the API documents and the standard headers as the reference library verifies them', () => {
    const h = signatureHeaders('d-1', now, body, ['s3cret-ünïcode-key']);
    expect(h['x-webhook-signature']).toBe(
      `sha256=${createHmac('sha256', Buffer.from('s3cret-ünïcode-key', 'utf8')).update(body).digest('hex')}`,
    );
    const wh = new Webhook(`whsec_${Buffer.from('s3cret-ünïcode-key', 'utf8').toString('base64')}`);
    expect(wh.verify(body, h)).toEqual(JSON.parse(body));
    expect(() => wh.verify(`${body} `, h)).toThrow();
  });

  it('signs with both secrets during a rotation, so either verifies, keeping X-Webhook-Signature a single value', () => {
    const h = signatureHeaders('d-2', now, body, ['new-secret-0000', 'old-secret-1111']);
    const hex = (s: string) => `sha256=${createHmac('sha256', Buffer.from(s, 'utf8')).update(body).digest('hex')}`;
    expect(h['x-webhook-signature']).toBe(hex('new-secret-0000'));
    expect(h['x-webhook-signature-previous']).toBe(hex('old-secret-1111'));
    for (const s of ['new-secret-0000', 'old-secret-1111']) {
      expect(() => new Webhook(`whsec_${Buffer.from(s).toString('base64')}`).verify(body, h)).not.toThrow();
    }
  });

  it('is refused as a replay by the reference library when the timestamp is old', () => {
    const h = signatureHeaders('d-3', now - 3600, body, ['a-secret-0123456']);
    expect(() => new Webhook(`whsec_${Buffer.from('a-secret-0123456').toString('base64')}`).verify(body, h)).toThrow(
      /timestamp/i,
    );
  });
});
