// Splits what an SMTP server sends into replies: one line `250 Ok`, or several joined by
// a hyphen after the code (`250-PIPELINING` … `250 SIZE 1000`). The text is kept whole,
// enhanced status codes included, because errors and results quote it to the marketer.
import { StringDecoder } from 'node:string_decoder';

export interface SmtpReply {
  /** The three-digit reply code. */
  code: number;
  /** Each line without its code and separator, e.g. `PIPELINING`. */
  lines: string[];
  /** The reply as the server wrote it, lines joined by `\n`, e.g. `250 2.0.0 Ok: queued as 4Xyz`. */
  text: string;
}

export interface ReplyReader {
  /** Feeds bytes from the socket; calls back once per complete reply. */
  push(chunk: Buffer): void;
  /** Bytes received that do not end a reply yet (a server that stops mid-line). */
  readonly pending: boolean;
}

const REPLY_LINE = /^([2-5]\d\d)([ -]|$)(.*)$/;
// A reply line longer than this is not SMTP (RFC 5321 allows 512 octets).
const MAX_LINE = 64 * 1024;

/** Makes a reader; `onReply` gets each reply, `onGarbage` a line that is not a reply line. */
export function createReplyReader(onReply: (reply: SmtpReply) => void, onGarbage: (line: string) => void): ReplyReader {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let lines: string[] = [];
  let raw: string[] = [];

  function takeLine(line: string): void {
    const match = REPLY_LINE.exec(line);
    if (!match || (lines.length > 0 && Number(match[1]) !== Number(raw[0]!.slice(0, 3)))) {
      lines = [];
      raw = [];
      onGarbage(line);
      return;
    }
    lines.push(match[3]!);
    raw.push(line);
    if (match[2] === '-') return;
    const reply = { code: Number(match[1]), lines, text: raw.join('\n') };
    lines = [];
    raw = [];
    onReply(reply);
  }

  return {
    push(chunk: Buffer) {
      let text = partial + decoder.write(chunk);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
        start = end + 1;
        takeLine(line);
      }
      text = text.slice(start);
      if (text.length > MAX_LINE) {
        partial = '';
        onGarbage(text.slice(0, 80));
        return;
      }
      partial = text;
    },
    get pending() {
      return partial.length > 0 || raw.length > 0;
    },
  };
}
