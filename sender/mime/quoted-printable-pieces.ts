// Quoted-printable of a rendered part in its pieces (render-plan.ts): the campaign's static
// text is encoded once, with its DKIM relaxed form, and copied into every message; only what
// the render merged is encoded per message. Encoding the whole 50 KB body and canonicalising
// it again was a sixth of a send's CPU.
//
// Every static piece starts a line of its own (a soft break before it when needed), so its
// encoding is the same wherever it falls; merged text goes on from the column the static
// text before it ended at. Each piece is encoded as if it ended a line, so none ends in a
// space or tab: no whitespace run or CRLF straddles two pieces, and the relaxed form of the
// body is the relaxed forms of its pieces, one after another (relaxLines).
import type { TextPieces } from '../../shared/render/render-plan';
import { createByteOutput, takeBytes, writeBytes, type ByteOutput } from './byte-output';
import { relaxLines } from './dkim-canonicalize';
import { encodeQuotedPrintable, writeTextQuotedPrintable } from './quoted-printable';

interface EncodedStatic {
  /** The static text this is the encoding of. */
  text: string;
  bytes: Buffer;
  /** The column its last line ends at. */
  column: number;
  /** Its DKIM relaxed form, made the first time a signer needs it. */
  relaxed: Buffer | null;
}

const SOFT_BREAK = Buffer.from('=\r\n');
const CRLF = Buffer.from('\r\n');

/** Encoded static pieces, by plan and by their place among its static pieces. */
const encodedStatics = new WeakMap<object, EncodedStatic[]>();

/**
 * Appends the part as quoted-printable to `out`, and its relaxed form to `relaxed` when
 * given. Returns false, writing nothing, when the pieces cannot be encoded apart: a CRLF
 * split between two pieces is one line break, which pieces encoded apart would not keep.
 */
export function writePiecesQuotedPrintable(out: ByteOutput, scratch: ByteOutput, part: TextPieces, relaxed: ByteOutput | null): boolean {
  const { pieces } = part;
  if (splitsCrlf(pieces)) return false;
  let statics = encodedStatics.get(part.plan);
  if (!statics) encodedStatics.set(part.plan, (statics = []));
  let column = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    if (i % 2 === 0) {
      const start = out.pos;
      column = writeTextQuotedPrintable(out, scratch, piece, column);
      if (relaxed) relaxLines(out.buf, start, out.pos, relaxed);
      continue;
    }
    if (column !== 0) {
      writeBytes(out, SOFT_BREAK);
      if (relaxed) writeBytes(relaxed, SOFT_BREAK);
    }
    const k = (i - 1) / 2;
    let encoded = statics[k];
    if (encoded?.text !== piece) encoded = statics[k] = encodeStatic(piece);
    writeBytes(out, encoded.bytes);
    if (relaxed) writeBytes(relaxed, (encoded.relaxed ??= relaxedCopy(encoded.bytes)));
    column = encoded.column;
  }
  return true;
}

function encodeStatic(text: string): EncodedStatic {
  const bytes = encodeQuotedPrintable(text);
  const lastBreak = bytes.lastIndexOf(CRLF);
  return { text, bytes, column: lastBreak === -1 ? bytes.length : bytes.length - lastBreak - 2, relaxed: null };
}

function relaxedCopy(bytes: Buffer): Buffer {
  const out = createByteOutput(bytes.length + 2);
  relaxLines(bytes, 0, bytes.length, out);
  return takeBytes(out);
}

/** Whether a piece ending in CR is followed by one starting with LF. */
function splitsCrlf(pieces: readonly string[]): boolean {
  let endsInCr = false;
  for (const piece of pieces) {
    if (piece === '') continue;
    if (endsInCr && piece.charCodeAt(0) === 0x0a) return true;
    endsInCr = piece.charCodeAt(piece.length - 1) === 0x0d;
  }
  return false;
}
