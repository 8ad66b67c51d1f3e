// The bench's baseline only: a rendered message as nodemailer message options, so that
// nodemailer's own composer builds the MIME it sends. The product builds MIME with
// sender/mime; this stays beside the bench to keep its comparison fair.
import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMessage } from '../sender/drivers/driver';
import { parseHeaderMailbox } from '../sender/mime/mailbox-header';
import { transferEncodingFor } from '../sender/mime/transfer-encoding';

export function toMailOptions(message: OutgoingMessage): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html !== null ? { html: message.html } : {}),
    messageId: message.messageIdHeader,
    headers: message.headers,
    textEncoding: transferEncodingFor(message.text),
    // The VERP return path: bounces name the message they belong to.
    envelope: { from: message.envelopeFrom, to: [parseHeaderMailbox(message.to, 'message.to').address] },
    // Content never reaches for files or URLs: a merge field cannot make us read /etc/passwd.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
