// Header fields as lines: folded at whitespace so lines stay within 78 characters where the
// text allows (RFC 5322 §2.1.1), never past the hard limit of 998, and encoded-words for
// text that is not plain ASCII.
import { encodeWords, needsEncodedWords } from './encoded-words';

/** RFC 5322's recommended line length, and its hard limit. */
export const LINE_LIMIT = 78;
export const HARD_LINE_LIMIT = 998;

export interface FoldedHeader {
  /** The field, CRLF between its lines, no CRLF at the end. */
  text: string;
  /** Its longest line. */
  longest: number;
}

/**
 * Folds `Name: value` before whitespace (the whitespace stays, so unfolding gives back the
 * same text). With `keepQuotes`, never inside a quoted-string: some parsers do not unfold there.
 */
export function foldHeader(line: string, keepQuotes = false): FoldedHeader {
  let text = '';
  let lineStart = 0;
  let lastBreak = -1; // the start of the latest run of whitespace on this line
  let longest = 0;
  let quoted = false;
  for (let i = line.indexOf(':') + 2; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (keepQuotes && code === 0x22) quoted = !quoted;
    else if (keepQuotes && quoted && code === 0x5c) i++;
    else if (!quoted && (code === 0x20 || code === 0x09)) {
      const previous = line.charCodeAt(i - 1);
      if (previous !== 0x20 && previous !== 0x09) {
        if (i - lineStart > LINE_LIMIT && lastBreak > lineStart) {
          text += `${line.slice(lineStart, lastBreak)}\r\n`;
          longest = Math.max(longest, lastBreak - lineStart);
          lineStart = lastBreak;
        }
        lastBreak = i;
      }
    }
  }
  if (line.length - lineStart > LINE_LIMIT && lastBreak > lineStart) {
    text += `${line.slice(lineStart, lastBreak)}\r\n`;
    longest = Math.max(longest, lastBreak - lineStart);
    lineStart = lastBreak;
  }
  longest = Math.max(longest, line.length - lineStart);
  return { text: text + line.slice(lineStart), longest };
}

/**
 * An unstructured field (Subject): as it is when it is printable ASCII that folds within
 * 78 characters, otherwise as encoded-words, which always do. `=?` counts as needing
 * encoding, so a subject that mentions an encoded-word arrives as written.
 */
export function unstructuredHeader(name: string, value: string): string {
  if (!value) return `${name}:`;
  if (!needsEncodedWords(value)) {
    const plain = foldHeader(`${name}: ${value}`);
    if (plain.longest <= LINE_LIMIT) return plain.text;
  }
  return foldHeader(`${name}: ${encodeWords(value, LINE_LIMIT - name.length - 2).join(' ')}`).text;
}

/**
 * A header given by the message (List-Unsubscribe…): printable ASCII goes out as given,
 * folded at its whitespace, since encoding would break a structured value such as a URL
 * list; other text is taken as unstructured and encoded.
 */
export function givenHeader(name: string, value: string): string {
  if (!value) return `${name}:`;
  if (/[^\x20-\x7e]/.test(value)) return unstructuredHeader(name, value);
  const folded = foldHeader(`${name}: ${value}`, true);
  if (folded.longest > HARD_LINE_LIMIT) {
    throw new TypeError(`message.headers["${name}"] has a run of ${folded.longest} characters without a space: a header line may not pass ${HARD_LINE_LIMIT}`);
  }
  return folded.text;
}
