// One message read with mailparser into what the classifier looks at: its headers as sent,
// its text, and the report parts. mailparser would fold message/delivery-status into the text
// and parse an inline message/rfc822 into it too, so both are asked to stay parts.
import { simpleParser, type ParsedMail } from 'mailparser';

export interface MailSummary {
  /** The first value of a header, unfolded and trimmed (`name` in lower case). */
  header(name: string): string | undefined;
  /** Every value of a header, in order. */
  headers(name: string): string[];
  /** The From address, lower-cased. */
  from?: string;
  subject: string;
  /** The report-type parameter of a multipart/report, lower-cased. */
  reportType?: string;
  /** The text body (an HTML-only body converted), with LF line ends. */
  text: string;
  /** The message/delivery-status parts, as text. */
  deliveryStatus: string[];
  /** The message/feedback-report parts, as text. */
  feedbackReports: string[];
  /** The first quoted original: a message/rfc822 or text/rfc822-headers part. */
  originalPart?: Buffer;
}

// The text of a bounce that matters is near its top; this bounds the work on a huge body.
const MAX_TEXT = 200_000;

const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers']);

/** Parses one message (never an mbox: split it first). */
export async function readMail(raw: Buffer | string): Promise<MailSummary> {
  const mail = await simpleParser(raw, {
    keepDeliveryStatus: true,
    ignoreEmbedded: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const headerMap = unfoldedHeaders(mail);
  const partsOf = (types: Set<string>) => mail.attachments.filter((a) => types.has(a.contentType.toLowerCase()));
  const contentType = mail.headers.get('content-type') as { params?: Record<string, string> } | undefined;
  return {
    header: (name) => headerMap.get(name)?.[0],
    headers: (name) => headerMap.get(name) ?? [],
    from: mail.from?.value[0]?.address?.toLowerCase() || undefined,
    subject: mail.subject ?? '',
    reportType: contentType?.params?.['report-type']?.toLowerCase(),
    text: (mail.text ?? '').slice(0, MAX_TEXT).replace(/\r\n?/g, '\n'),
    deliveryStatus: partsOf(DELIVERY_STATUS).map((part) => part.content.toString('utf8')),
    feedbackReports: partsOf(new Set(['message/feedback-report'])).map((part) => part.content.toString('utf8')),
    originalPart: partsOf(ORIGINAL)[0]?.content,
  };
}

function unfoldedHeaders(mail: ParsedMail): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  return headers;
}
