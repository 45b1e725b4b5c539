import MailComposer from 'nodemailer/lib/mail-composer';

import { ConnectorError } from '../../connector-error';

// RFC 2822 / MIME message for Gmail's users.messages.send (docs/providers/gmail.md). Built by nodemailer's
// MailComposer: header folding, RFC 2047 encoded words and address quoting are its job, not ours.

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

const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The API refuses these already; this is the last line before a header is written, for any caller that
 * did not go through that validation. MailComposer would fold or strip some of them, but a value that
 * holds one was never meant for a header, so nothing is sent.
 */
function refuseControlChars(m: MimeInput): void {
  const fields: [string, string | undefined][] = [
    ['to', m.to],
    ['reply_to', m.replyTo],
    ['subject', m.subject],
    ['from_email', m.from.email],
    ['from_name', m.from.name],
    ['message_id', m.messageId],
  ];
  for (const [field, value] of fields) {
    if (value !== undefined && CONTROL.test(value))
      throw new ConnectorError('refused', `${field} must not contain control characters`);
  }
}

/** The message as CRLF-separated text: multipart/alternative (text first) when both bodies are given. */
export async function buildMime(m: MimeInput): Promise<string> {
  refuseControlChars(m);
  const domain = m.from.email.split('@')[1] ?? 'localhost';
  const composer = new MailComposer({
    // address objects, not strings: MailComposer quotes the name and takes the address as one mailbox
    from: m.from.name ? { name: m.from.name, address: m.from.email } : m.from.email,
    to: { name: '', address: m.to },
    ...(m.replyTo ? { replyTo: { name: '', address: m.replyTo } } : {}),
    subject: m.subject,
    // base64 whatever the content: 7bit or quoted-printable would be as valid, but one encoding keeps
    // long unbroken HTML lines within the 998-octet line limit without relying on the content
    ...(m.text !== undefined ? { text: { content: m.text, contentTransferEncoding: 'base64' } } : {}),
    ...(m.html !== undefined ? { html: { content: m.html, contentTransferEncoding: 'base64' } } : {}),
    messageId: `<${m.messageId}@${domain}>`,
    date: m.date ?? new Date(),
    headers: { 'X-Platform-Message-Id': m.messageId },
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  return raw.toString('utf8');
}
