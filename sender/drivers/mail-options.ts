// The one mapping from a rendered message to nodemailer's message options, shared by every
// driver that builds MIME with nodemailer (smtp, capture, and raw-MIME API drivers).
import type { SendMailOptions } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { OutgoingMessage } from './driver';

export function toMailOptions(message: OutgoingMessage): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html !== null ? { html: message.html } : {}),
    messageId: message.messageIdHeader,
    headers: message.headers,
    // The VERP return path: bounces name the message they belong to.
    envelope: { from: message.envelopeFrom, to: [recipientAddress(message.to)] },
    // Content never reaches for files or URLs: a merge field cannot make us read /etc/passwd.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export function recipientAddress(to: string): string {
  const [first] = addressparser(to, { flatten: true });
  if (!first?.address) throw new Error(`not an address: ${JSON.stringify(to)}`);
  return first.address;
}
