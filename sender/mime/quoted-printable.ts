// Quoted-printable (RFC 2045 §6.7) for message bodies: one loop over the text's bytes with a
// lookup table, writing straight into the builder's buffer. Line breaks in the text (LF or
// CRLF) become hard CRLF breaks; everything else that is not printable ASCII is escaped.
import { createByteOutput, reserve, takeBytes, type ByteOutput } from './byte-output';

/** Characters per line before the `=` of a soft break, so no line passes 76. */
const MAX_COLUMN = 75;

const LITERAL = 0; // printable ASCII but '=' ('.' and 'F' get a second look at the start of a line)
const ESCAPE = 1;
const WHITESPACE = 2; // literal, unless a line break or the end follows (trailing whitespace is lost in transit)
const CR = 3;
const LF = 4;

const KIND = new Uint8Array(256).fill(ESCAPE);
for (let b = 33; b <= 126; b++) KIND[b] = LITERAL;
KIND[0x3d] = ESCAPE; // '='
KIND[0x20] = WHITESPACE;
KIND[0x09] = WHITESPACE;
KIND[0x0d] = CR;
KIND[0x0a] = LF;

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/** The most bytes `length` input bytes can take once encoded (every byte escaped, twice for Latin-1 input, plus soft breaks). */
export function quotedPrintableBound(length: number, latin1 = false): number {
  const escaped = length * (latin1 ? 6 : 3);
  return escaped + Math.ceil(escaped / (MAX_COLUMN - 5)) * 3 + 3;
}

/**
 * Appends a text as quoted-printable UTF-8, using `scratch` for its bytes, starting on a line
 * that already holds `column` characters; returns the column it ends at.
 */
export function writeTextQuotedPrintable(out: ByteOutput, scratch: ByteOutput, text: string, column = 0): number {
  // Text with no character past U+00FF (most Latin text) is copied in as Latin-1, one byte a
  // character, far faster than UTF-8 conversion; the encoder writes those bytes as UTF-8.
  const latin1 = !BEYOND_LATIN1.test(text);
  reserve(scratch, latin1 ? text.length : text.length * 3);
  const length = scratch.buf.write(text, 0, latin1 ? 'latin1' : 'utf8');
  return writeQuotedPrintable(out, scratch.buf, length, latin1, column);
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * Appends `input[0, length)` to `out` as quoted-printable, on a line that already holds
 * `column` characters, and returns the column it ends at. With `latin1`, each byte is a
 * Latin-1 character and goes out as its UTF-8 bytes; otherwise the bytes go out as they are.
 * The end of the input counts as the end of a line: whitespace there is escaped.
 * One long function on purpose: it is a hot loop of a send, and calls cost here.
 */
export function writeQuotedPrintable(out: ByteOutput, input: Uint8Array, length = input.length, latin1 = false, column = 0): number {
  reserve(out, quotedPrintableBound(length, latin1));
  const buf = out.buf;
  let pos = out.pos;
  for (let i = 0; i < length; i++) {
    const byte = input[i]!;
    let kind = KIND[byte]!;
    if (kind === WHITESPACE) kind = endsLine(input, i + 1, length) ? ESCAPE : LITERAL;
    // The common case: a run of printable characters in the middle of a line, copied in a
    // tight loop up to the next character that needs a look or the end of the line's room.
    if (kind === LITERAL && column !== 0 && column < MAX_COLUMN) {
      buf[pos++] = byte;
      const stop = Math.min(length, i + MAX_COLUMN - column);
      let j = i + 1;
      while (j < stop) {
        const next = input[j]!;
        const nextKind = KIND[next];
        // Whitespace stays in the run when printable text follows it; the rest is for the slow path.
        if (nextKind !== LITERAL && (nextKind !== WHITESPACE || j + 1 >= length || KIND[input[j + 1]!]! >= CR)) break;
        buf[pos++] = next;
        j++;
      }
      column += j - i;
      i = j - 1;
      continue;
    }
    if (kind === LF || (kind === CR && i + 1 < length && input[i + 1] === 0x0a)) {
      if (kind === CR) i++;
      buf[pos++] = 0x0d;
      buf[pos++] = 0x0a;
      column = 0;
      continue;
    }
    let escape = kind !== LITERAL; // ESCAPE, or a lone CR
    const twoBytes = latin1 && byte >= 0x80;
    // A character's escapes stay on one line (decoders cope with a split, some displays do not).
    const room = twoBytes ? 6 : !escape ? 1 : byte >= 0xc0 && !latin1 ? 3 * (byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2) : 3;
    if (column + room > MAX_COLUMN) {
      buf[pos++] = 0x3d;
      buf[pos++] = 0x0d;
      buf[pos++] = 0x0a;
      column = 0;
    }
    // Some relays mishandle SMTP dot-stuffing, and mbox files quote a line's "From " as ">From ".
    if (column === 0 && !escape) escape = byte === 0x2e || (byte === 0x46 && startsFrom(input, i + 1, length));
    if (twoBytes) {
      const lead = 0xc0 | (byte >> 6);
      const trail = 0x80 | (byte & 0x3f);
      buf[pos++] = 0x3d;
      buf[pos++] = HEX[lead >> 4]!;
      buf[pos++] = HEX[lead & 0x0f]!;
      buf[pos++] = 0x3d;
      buf[pos++] = HEX[trail >> 4]!;
      buf[pos++] = HEX[trail & 0x0f]!;
      column += 6;
    } else if (escape) {
      buf[pos++] = 0x3d;
      buf[pos++] = HEX[byte >> 4]!;
      buf[pos++] = HEX[byte & 0x0f]!;
      column += 3;
    } else {
      buf[pos++] = byte;
      column++;
    }
  }
  out.pos = pos;
  return column;
}

/** Encodes a whole text or buffer; for tests and one-off use (builders write in place). */
export function encodeQuotedPrintable(input: string | Uint8Array): Buffer {
  const out = createByteOutput(quotedPrintableBound(input.length, true));
  if (typeof input === 'string') writeTextQuotedPrintable(out, createByteOutput(input.length * 3), input);
  else writeQuotedPrintable(out, input);
  return takeBytes(out);
}

/** Whether position `at` is the end of the input or the start of a line break. */
function endsLine(input: Uint8Array, at: number, length: number): boolean {
  if (at >= length) return true;
  const next = input[at];
  return next === 0x0a || (next === 0x0d && at + 1 < length && input[at + 1] === 0x0a);
}

/**
 * Whether "rom " follows position `at` (the F of a line's "From "), or what follows is all of
 * the input and could be its start: the rest of the line may come in the next piece.
 */
function startsFrom(input: Uint8Array, at: number, length: number): boolean {
  for (let k = 0; k < 4; k++) {
    if (at + k >= length) return true;
    if (input[at + k] !== ROM_[k]) return false;
  }
  return true;
}

const ROM_ = [0x72, 0x6f, 0x6d, 0x20];
