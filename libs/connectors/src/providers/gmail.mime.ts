import { randomBytes } from 'node:crypto';

// RFC 2822 / MIME message for Gmail's users.messages.send (PROVIDERS.md §5).

export interface MimeInput {
  from: { email: string; name?: string };
  to: string;
  replyTo?: string;
  subject: string;
  html?: string;
  text?: string;
  /** Our message id: Message-ID and X-Platform-Message-Id, so replies and NDRs can be matched. */
  messageId: string;
  date?: Date;
}

/** RFC 2047 encoded-word for non-ASCII header text; plain ASCII stays as is. */
export function encodeHeaderWord(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function mailbox(email: string, name?: string): string {
  if (!name) return email;
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodeHeaderWord(name);
  return `${display} <${email}>`;
}

/** base64 body wrapped at 76 characters (RFC 2045). */
function base64Body(value: string): string {
  return (Buffer.from(value, 'utf8').toString('base64').match(/.{1,76}/g) ?? ['']).join('\r\n');
}

function part(type: string, value: string): string {
  return `Content-Type: ${type}; charset="UTF-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Body(value)}`;
}

/** The message as CRLF-separated text: multipart/alternative when both bodies are given. */
export function buildMime(m: MimeInput): string {
  const domain = m.from.email.split('@')[1] ?? 'localhost';
  const headers = [
    `From: ${mailbox(m.from.email, m.from.name)}`,
    `To: ${m.to}`,
    ...(m.replyTo ? [`Reply-To: ${m.replyTo}`] : []),
    `Subject: ${encodeHeaderWord(m.subject)}`,
    `Date: ${(m.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}@${domain}>`,
    `X-Platform-Message-Id: ${m.messageId}`,
    'MIME-Version: 1.0',
  ];
  const bodies = [
    ...(m.text !== undefined ? [['text/plain', m.text]] : []),
    ...(m.html !== undefined ? [['text/html', m.html]] : []),
  ];
  if (bodies.length === 1) return `${headers.join('\r\n')}\r\n${part(bodies[0][0], bodies[0][1])}\r\n`;
  const boundary = `=_part_${randomBytes(12).toString('hex')}`;
  const parts = bodies.map(([type, value]) => `--${boundary}\r\n${part(type, value)}`).join('\r\n');
  return `${headers.join('\r\n')}\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n${parts}\r\n--${boundary}--\r\n`;
}
