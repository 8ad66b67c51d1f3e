// The headers of the message a report is about, when the report quotes it: how a bounce
// that lost its VERP address (or an ARF report, which has none) still finds our message.
import { simpleParser } from 'mailparser';
import type { BounceReport } from './bounce-report';

type Original = NonNullable<BounceReport['original']>;

/** Message-ID, X-Edgepost-Message, our unsubscribe token, To (bare addresses) and Subject of a quoted message; undefined when it names none. */
export async function readQuotedOriginal(quoted: Buffer | string): Promise<Original | undefined> {
  const mail = await simpleParser(headerBlock(quoted), { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const edgepost = mail.headers.get('x-edgepost-message');
  const to = [mail.to ?? []]
    .flat()
    .flatMap((list) => list.value.map((address) => address.address?.toLowerCase()))
    .filter(Boolean)
    .join(', ');
  const listUnsubscribe = mail.headerLines.find((line) => line.key === 'list-unsubscribe')?.line ?? '';
  // Our List-Unsubscribe holds the token twice: in the https link (/u/<token>) and in the mailto subject.
  const unsubscribeToken = /\/u\/([\w-]+\.[\w-]+\.[\w-]+)/.exec(listUnsubscribe)?.[1] ?? /unsubscribe(?:%20|\s)+([\w-]+\.[\w-]+\.[\w-]+)/i.exec(listUnsubscribe)?.[1];
  const original: Original = {
    ...(mail.messageId && { messageId: mail.messageId }),
    ...(unsubscribeToken && { unsubscribeToken }),
    ...(typeof edgepost === 'string' && edgepost.trim() && { edgepostMessage: edgepost.trim() }),
    ...(to && { to }),
    ...(mail.subject && { subject: mail.subject }),
  };
  return Object.keys(original).length > 0 ? original : undefined;
}

// Only the headers are wanted: the body (perhaps with large attachments) is not worth parsing.
function headerBlock(quoted: Buffer | string): Buffer {
  const bytes = typeof quoted === 'string' ? Buffer.from(quoted, 'utf8') : quoted;
  let start = 0;
  while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++;
  const ends = [bytes.indexOf('\n\n', start), bytes.indexOf('\r\n\r\n', start)].filter((index) => index >= 0);
  return bytes.subarray(start, ends.length > 0 ? Math.min(...ends) : bytes.length);
}
