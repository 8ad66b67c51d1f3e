// DKIM's "relaxed" canonicalisation (RFC 6376 §3.4.2 and §3.4.4): the form a verifier
// rebuilds from what it received, so whitespace a relay rewraps does not break the signature.
// The body is done in one pass over the bytes into a buffer the signer reuses.
import { createHash } from 'node:crypto';
import { reserve, type ByteOutput } from './byte-output';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;

/**
 * Writes the relaxed form of `raw` from `start` into `out` (from 0) and returns its length:
 * runs of spaces and tabs become one space, whitespace at line ends goes, empty lines at the
 * end go, and a non-empty body ends with CRLF.
 */
export function relaxedBody(raw: Uint8Array, start: number, out: ByteOutput): number {
  out.pos = 0;
  relaxLines(raw, start, raw.length, out);
  return endRelaxedBody(out);
}

/**
 * Appends the relaxed form of the lines in `src[start, end)` to `out`: runs of spaces and
 * tabs become one space, whitespace at line ends goes. A body may be done a stretch at a time
 * when no stretch but the last ends in a space, tab or CR (a run or a CRLF would straddle two).
 */
export function relaxLines(src: Uint8Array, start: number, end: number, out: ByteOutput): void {
  // Canonical form is never longer than the input, plus the CRLF endRelaxedBody may add.
  reserve(out, end - start + 2);
  const dst = out.buf;
  let n = out.pos;
  let i = start;
  // The inner loop copies everything up to the next space or tab and tests nothing else:
  // twice as fast as a loop that checks every byte for every case (bench/dkim-sign.ts).
  outer: while (i < end) {
    let b = src[i]!;
    while (b !== SP && b !== TAB) {
      dst[n++] = b;
      if (++i === end) break outer;
      b = src[i]!;
    }
    let j = i + 1;
    while (j < end && (src[j] === SP || src[j] === TAB)) j++;
    // Whitespace before a line break (or the end) is dropped, not collapsed.
    if (j < end && !(src[j] === CR && j + 1 < end && src[j + 1] === LF)) dst[n++] = SP;
    i = j;
  }
  out.pos = n;
}

/** Ends the relaxed body in `out`: no empty lines at the end, and CRLF after a non-empty one. Returns its length. */
export function endRelaxedBody(out: ByteOutput): number {
  reserve(out, 2);
  const dst = out.buf;
  let n = out.pos;
  // Drop empty lines at the end: each CRLF that follows another CRLF (or stands alone).
  while (n >= 2 && dst[n - 2] === CR && dst[n - 1] === LF && (n === 2 || (dst[n - 4] === CR && dst[n - 3] === LF))) n -= 2;
  if (n > 0 && !(dst[n - 2] === CR && dst[n - 1] === LF)) {
    dst[n++] = CR;
    dst[n++] = LF;
  }
  out.pos = n;
  return n;
}

/** Ends the relaxed body in `out` and returns its SHA-256 in base64: DKIM's bh= tag. */
export function hashRelaxedBody(out: ByteOutput): string {
  const length = endRelaxedBody(out); // may grow out.buf, so read it after
  return createHash('sha256').update(out.buf.subarray(0, length)).digest('base64');
}

/**
 * One header field (name, colon, value, with any folding; no final CRLF) in relaxed form:
 * the name in lower case, the value unfolded, whitespace runs as one space, trimmed.
 * Works on latin1 strings, so UTF-8 bytes in the header pass through untouched.
 */
export function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ /, '')
    .replace(/ $/, '');
  return `${name}:${value}`;
}

/** Splits a header block (fields with CRLF after each) into fields, folding kept. */
export function splitHeaderFields(block: string): string[] {
  // A CRLF followed by whitespace is folding inside a field, not the end of one.
  const fields = block.split(/\r\n(?![ \t])/);
  if (fields.at(-1) === '') fields.pop();
  return fields;
}
