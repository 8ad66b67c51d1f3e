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
    textEncoding: textEncodingFor(message.text),
    // The VERP return path: bounces name the message they belong to.
    envelope: { from: message.envelopeFrom, to: [recipientAddress(message.to)] },
    // Content never reaches for files or URLs: a merge field cannot make us read /etc/passwd.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * Quoted-printable for mostly Latin text, base64 otherwise: nodemailer's own choice, made
 * from a sample instead of a scan of every body part (that scan was 20% of send CPU).
 */
function textEncodingFor(text: string): 'quoted-printable' | 'base64' {
  const sample = text.slice(0, 2048);
  let latin = 0;
  let other = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
    else if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}

export function recipientAddress(to: string): string {
  const [first] = addressparser(to, { flatten: true });
  if (!first?.address) throw new Error(`not an address: ${JSON.stringify(to)}`);
  return first.address;
}
