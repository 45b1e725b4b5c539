import { buildMime, encodeHeaderWord } from './gmail.mime';

describe('gmail MIME builder', () => {
  it('builds a single-part message with CRLF, encoded non-ASCII headers and a base64 body', () => {
    const mime = buildMime({ from: { email: 'crm@b.example', name: 'Équipe' }, to: 'l@e.example', subject: 'Café', html: '<p>ü</p>', messageId: 'm-1', date: new Date(0) });
    const [head, body] = mime.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      `From: ${encodeHeaderWord('Équipe')} <crm@b.example>`, 'To: l@e.example', 'Subject: =?UTF-8?B?Q2Fmw6k=?=',
      'Date: Thu, 01 Jan 1970 00:00:00 +0000', 'Message-ID: <m-1@b.example>', 'X-Platform-Message-Id: m-1', 'MIME-Version: 1.0',
      'Content-Type: text/html; charset="UTF-8"', 'Content-Transfer-Encoding: base64',
    ]);
    expect(Buffer.from(body, 'base64').toString('utf8')).toBe('<p>ü</p>');
  });

  it('uses multipart/alternative with text before html when both are given', () => {
    const mime = buildMime({ from: { email: 'a@b.example' }, to: 'c@d.example', subject: 's', html: '<b>h</b>', text: 't', messageId: 'm' });
    const boundary = /boundary="([^"]+)"/.exec(mime)![1];
    const parts = mime.split(`--${boundary}`);
    expect(parts).toHaveLength(4);
    expect(parts[1]).toContain('text/plain');
    expect(parts[2]).toContain('text/html');
    expect(parts[3]).toBe('--\r\n');
  });
});
