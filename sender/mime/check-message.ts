// What buildMime accepts. The renderer already guarantees most of this; checking again here
// keeps a caller that builds messages by other means from writing a header of its own
// through a line break, or a second From through `headers`.
import type { RenderedMessage } from '../../shared/render/render-message';
import { parseHeaderMailbox, type HeaderMailbox } from './mailbox-header';

export interface CheckedMessage {
  from: HeaderMailbox;
  to: HeaderMailbox;
}

/** Fields buildMime writes itself; `headers` may not set them. */
const OWN_FIELDS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding',
]);
const FIELD_NAME = /^[!-9;-~]+$/;
const LINE_BREAK = /[\r\n]/;
const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
const ENVELOPE_ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/** Throws a TypeError naming the field at fault and what to do about it. */
export function checkMessage(message: RenderedMessage): CheckedMessage {
  if (typeof message !== 'object' || message === null) throw new TypeError('message must be a rendered message object');
  const from = parseHeaderMailbox(message.from, 'message.from');
  const to = parseHeaderMailbox(message.to, 'message.to');
  checkText(message.subject, 'message.subject');
  if (typeof message.text !== 'string') throw new TypeError('message.text must be a string (the plain-text body)');
  if (message.html !== null && typeof message.html !== 'string') throw new TypeError('message.html must be a string, or null for a text-only message');
  if (typeof message.messageIdHeader !== 'string' || !MESSAGE_ID.test(message.messageIdHeader)) {
    throw new TypeError(`message.messageIdHeader must look like <id@domain>, got ${JSON.stringify(message.messageIdHeader)}`);
  }
  if (typeof message.envelopeFrom !== 'string' || !ENVELOPE_ADDRESS.test(message.envelopeFrom)) {
    throw new TypeError(`message.envelopeFrom must be a bare address (the return path), got ${JSON.stringify(message.envelopeFrom)}`);
  }
  if (typeof message.headers !== 'object' || message.headers === null) throw new TypeError('message.headers must be an object of header names to values');
  for (const [name, value] of Object.entries(message.headers)) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`message.headers has an invalid field name ${JSON.stringify(name)}: use printable ASCII without spaces or ':'`);
    if (OWN_FIELDS.has(name.toLowerCase())) throw new TypeError(`message.headers may not set ${name}: buildMime writes it from the message's own fields`);
    checkText(value, `message.headers["${name}"]`);
  }
  return { from, to };
}

function checkText(value: unknown, field: string): void {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string`);
  if (LINE_BREAK.test(value)) throw new TypeError(`${field} must be one line: it holds a line break, which would start a header of its own`);
}
