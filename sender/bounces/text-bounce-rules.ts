// Bounces without a machine-readable part: Gmail's, Yahoo's, qmail's, Exim's and Exchange's
// (and any DSN whose delivery-status part is missing) say in prose which addresses failed and
// quote the server's answer under each. These rules find each address line, take the lines
// under it as that recipient's diagnostic, and cut the quoted original off the end.
import type { MailSummary } from './read-mail';
import { findReplyCode, findStatus, replyCodeIndex } from './status-codes';

export interface TextBounceRecipient {
  address: string;
  /** Everything said under the address, on one line. */
  text: string;
}

export interface TextBounce {
  /** The failed recipients, in the order the bounce names them; empty when none could be found. */
  recipients: TextBounceRecipient[];
  /** The notice without the quoted original, for a verdict when no recipient was found. */
  notice: string;
  /** The quoted original message (headers first), when the bounce includes it inline. */
  original?: string;
}

const BOUNCE_SENDER = /^(?:mailer-daemon|mail-daemon|postmaster|mailerdaemon|mdaemon)@/i;
const BOUNCE_SUBJECT =
  /\b(?:undeliver|undelivered mail|delivery status notification|delivery (?:has )?failed|delivery failure|failure notice|returned mail|mail delivery failed|non-?delivery|could not be delivered|delivery problem)/i;

// Where the bounce's own words stop and the quoted original starts.
const ORIGINAL_SEPARATORS = [
  /^-{2,} ?original message ?-{2,}[ \t]*$/im, // Gmail
  /^-{2,} this is a copy of the message.*$/im, // Exim
  /^-{2,} below this line is a copy of the message\.?[ \t]*$/im, // qmail, Yahoo
  /^original message headers:[ \t]*$/im, // Exchange 2007 and later, Office 365
  /^-{2,} ?(?:the )?(?:original|returned|undelivered) message(?: headers)?(?: follows)? ?-*[ \t]*$/im,
];

const ADDRESS = String.raw`[^\s<>()@",;:]+@[^\s<>()@",;:]+\.[^\s<>()@",;:]+`;
// An address alone on its line, as the bounces above list them: "addr", "<addr>", "<addr>:",
// "Name<mailto:addr>", "addr<mailto:addr>", "addr on <date>" (Exchange 2003), or Postfix's
// "<addr>: host ... said: ..." where the diagnostic starts on the same line.
const ADDRESS_LINE = new RegExp(
  String.raw`^\s*(?:[^<>@\n]{0,80}<mailto:(${ADDRESS})>|<(${ADDRESS})>(?: \(expanded from <[^>]*>\))?:?(?:\s+(.*))?|(${ADDRESS})(?:<mailto:[^>]*>|:|\s+on\s+.*)?)\s*$`,
  'i',
);

const MAX_ADDRESS_LINE = 300;

/** Whether the message says it comes from a mail system about a failed delivery. */
export function looksLikeBounce(mail: MailSummary): boolean {
  return (
    BOUNCE_SENDER.test(mail.from ?? '') ||
    /\bmail delivery (?:system|subsystem)\b/i.test(mail.header('from') ?? '') ||
    mail.header('x-failed-recipients') !== undefined ||
    BOUNCE_SUBJECT.test(mail.subject)
  );
}

/** Reads a bounce from its text: the failed recipients with what was said of each. */
export function readTextBounce(mail: MailSummary): TextBounce {
  const { notice, original } = splitAtOriginal(mail.text);
  const blocks = addressBlocks(notice);
  const failed = mail.headers('x-failed-recipients').flatMap((value) => value.split(/[\s,]+/)).map(bare).filter(Boolean);
  const addresses = failed.length > 0 ? [...new Set(failed)] : [...blocks.keys()];
  const recipients = addresses.map((address) => ({ address, text: blocks.get(address) || notice.replace(/\s+/g, ' ').trim() }));
  return { recipients, notice, ...(original && { original }) };
}

/** The server's words out of a recipient's text: from its SMTP reply code on, or the whole text. */
export function diagnosticOf(text: string): string {
  const start = replyCodeIndex(text);
  let words = withoutContinuations((start >= 0 ? text.slice(start) : text).replace(/\s+/g, ' ').trim());
  // Office 365 quotes the reply: "Remote Server returned '550 5.1.10 ...'"; drop the lone closing quote.
  for (const quote of [`'`, '"']) if (words.endsWith(quote) && words.split(quote).length % 2 === 0) words = words.slice(0, -1).trimEnd();
  return words.length > 500 ? `${words.slice(0, 497)}...` : words;
}

// "550-5.7.26 The MAIL FROM ... 550-5.7.26 policy" is one multi-line reply: keep its code once.
function withoutContinuations(words: string): string {
  const head = /^([245]\d\d)[- ](?:([245]\.\d{1,3}\.\d{1,3}) )?/.exec(words);
  if (!head) return words;
  const repeated = new RegExp(String.raw`\s${head[1]}[- ]${head[2] ? `${head[2].replace(/\./g, '\\.')} ` : ''}`, 'g');
  return `${head[0].replace('-', ' ')}${` ${words.slice(head[0].length)}`.replace(repeated, ' ').trimStart()}`;
}

/** The codes a recipient's text carries: qmail writes its status as "(#5.5.0)". */
export function codesOf(text: string): { status?: string; smtpCode?: string } {
  const status = findStatus(text);
  const smtpCode = findReplyCode(text);
  return { ...(status && { status }), ...(smtpCode && { smtpCode }) };
}

function splitAtOriginal(text: string): { notice: string; original?: string } {
  let cut: { index: number; length: number } | undefined;
  for (const separator of ORIGINAL_SEPARATORS) {
    const match = separator.exec(text);
    if (match && (!cut || match.index < cut.index)) cut = { index: match.index, length: match[0].length };
  }
  if (!cut) return { notice: text };
  const original = text.slice(cut.index + cut.length).replace(/^\s*\n/, '');
  return { notice: text.slice(0, cut.index), ...(original.trim() && { original }) };
}

// Address -> the text under it (merged when a bounce names an address twice, as Office 365 does).
// An address with nothing under it takes the text of the next one: Gmail lists all the failed
// addresses first and explains once below them.
function addressBlocks(notice: string): Map<string, string> {
  const blocks: { address: string; lines: string[] }[] = [];
  for (const line of notice.split('\n')) {
    // Address lines are short; the length bound also keeps the pattern's work linear.
    const match = line.length <= MAX_ADDRESS_LINE ? ADDRESS_LINE.exec(line) : null;
    if (match) {
      const address = bare(match[1] ?? match[2] ?? match[4] ?? '');
      blocks.push({ address, lines: match[3] ? [match[3]] : [] });
    } else {
      blocks.at(-1)?.lines.push(line);
    }
  }
  const texts = blocks.map((block) => block.lines.join(' ').replace(/\s+/g, ' ').trim());
  for (let i = texts.length - 2; i >= 0; i--) if (!texts[i]) texts[i] = texts[i + 1]!;
  const merged = new Map<string, string>();
  blocks.forEach((block, i) => merged.set(block.address, [merged.get(block.address), texts[i]].filter(Boolean).join(' ')));
  return merged;
}

function bare(address: string): string {
  return address.trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
}
