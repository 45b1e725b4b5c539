import { ConnectorError } from '../../connector-error';
import { buildMime } from './gmail.mime';

/** The header block unfolded into [lower-cased name, value] pairs, and the rest. */
function parse(mime: string): { headers: [string, string][]; body: string } {
  const end = mime.indexOf('\r\n\r\n');
  const head = mime.slice(0, end).replace(/\r\n[ \t]/g, ' ');
  const headers = head.split('\r\n').map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  });
  return { headers, body: mime.slice(end + 4) };
}
const names = (mime: string) => parse(mime).headers.map(([n]) => n);
const header = (mime: string, name: string) =>
  parse(mime)
    .headers.filter(([n]) => n === name)
    .map(([, v]) => v);
const base = {
  from: { email: 'crm@broker.example', name: 'Broker Support' },
  to: 'lead@example.com',
  subject: 'Welcome',
  html: '<p>Hello</p>',
  messageId: 'm-1',
};

describe('gmail MIME builder', () => {
  it('writes From, To, Subject, Message-ID, X-Platform-Message-Id, MIME-Version and an encoded non-ASCII subject and name', async () => {
    const mime = await buildMime({
      ...base,
      from: { email: 'crm@b.example', name: 'Équipe' },
      subject: 'Café',
      date: new Date(0),
    });
    expect(header(mime, 'to')).toEqual(['lead@example.com']);
    expect(header(mime, 'from')[0]).toMatch(/^=\?UTF-8\?[BQ]\?.+\?= <crm@b\.example>$/);
    expect(header(mime, 'subject')[0]).toMatch(/^=\?UTF-8\?[BQ]\?.+\?=$/);
    expect(header(mime, 'message-id')).toEqual(['<m-1@b.example>']);
    expect(header(mime, 'x-platform-message-id')).toEqual(['m-1']);
    expect(header(mime, 'mime-version')).toEqual(['1.0']);
    expect(header(mime, 'date')).toEqual(['Thu, 01 Jan 1970 00:00:00 +0000']);
    expect(mime.split('\r\n').every((l) => l.length <= 998)).toBe(true);
  });

  it('uses multipart/alternative with text before html when both are given', async () => {
    const mime = await buildMime({ ...base, text: 'Hello' });
    const boundary = /boundary="?([^";\r\n]+)"?/.exec(mime)![1];
    const parts = mime.split(`--${boundary}`);
    expect(parts).toHaveLength(4);
    expect(parts[1]).toContain('text/plain');
    expect(parts[2]).toContain('text/html');
  });

  it('quotes a display name holding specials instead of letting it add a mailbox', async () => {
    const mime = await buildMime({ ...base, from: { email: 'crm@broker.example', name: 'Evil, <a@evil.example>' } });
    expect(header(mime, 'from')).toHaveLength(1);
    expect(header(mime, 'from')[0]).toMatch(/<crm@broker\.example>$/);
    expect(header(mime, 'from')[0]).not.toMatch(/^Evil, <a@evil\.example>/);
  });

  it.each([
    ['to', { to: '"x\r\nBcc: v@evil.example"@example.com' }],
    ['to', { to: '"x\r\n\r\nreplaced body"@example.com' }],
    ['reply_to', { replyTo: '"y\nReply-To: w@evil.example"@example.com' }],
    ['subject', { subject: 'Hi\r\nBcc: v@evil.example' }],
    ['subject', { subject: 'Hi\u0000there' }],
    ['from_name', { from: { email: 'crm@broker.example', name: 'A\r\nReply-To: w@evil.example' } }],
  ])('refuses a control character in %s rather than writing it into a header', async (field, over) => {
    const err = await buildMime({ ...base, ...over }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('refused');
    expect((err as ConnectorError).message).toContain(field);
  });

  it('never emits a Bcc header, and the body stays the body', async () => {
    const mime = await buildMime({ ...base, to: 'lead@example.com' });
    expect(names(mime)).not.toContain('bcc');
    expect(Buffer.from(parse(mime).body.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe('<p>Hello</p>');
  });
});
